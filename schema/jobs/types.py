from __future__ import annotations

from datetime import datetime

import strawberry

from domain.jobs import JobRunStatus, JobTrigger

JobRunStatusEnum = strawberry.enum(JobRunStatus, name="JobRunStatus")
JobTriggerEnum = strawberry.enum(JobTrigger, name="JobTrigger")


@strawberry.type(description="One named count a job run reported, e.g. billsIssued.")
class JobCount:
    name: str
    value: int


@strawberry.type(description="One run of a scheduled job (`telehall jobs list` shows them too).")
class JobRun:
    id: strawberry.ID
    name: str
    scheduled_for: datetime = strawberry.field(
        description="The slot of the schedule this run is for (the instant, for a manual run)."
    )
    attempt: int = strawberry.field(description="1 for the first run of a slot; more on retries.")
    trigger: JobTriggerEnum
    status: JobRunStatusEnum
    worker: str = strawberry.field(description="host:pid of the runner.")
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    counts: list[JobCount]
    error: str | None
