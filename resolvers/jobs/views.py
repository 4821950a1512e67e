"""What operators read about the jobs: the registered jobs and the record of their runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.models.jobs import JobRun
from db.repositories import job_runs
from resolvers.pagination import Page, keyset_page


@dataclass(frozen=True)
class JobCountView:
    name: str
    value: int


@dataclass(frozen=True)
class JobRunView:
    id: int
    name: str
    scheduled_for: datetime
    attempt: int
    trigger: str
    status: str
    worker: str
    started_at: datetime
    finished_at: datetime | None
    counts: list[JobCountView]
    error: str | None

    @property
    def duration_ms(self) -> int | None:
        if self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds() * 1000)


def view_of(run: JobRun) -> JobRunView:
    return JobRunView(
        id=run.id,
        name=run.name,
        scheduled_for=run.scheduled_for,
        attempt=run.attempt,
        trigger=run.trigger,
        status=run.status,
        worker=run.worker,
        started_at=run.started_at,
        finished_at=run.finished_at,
        counts=[JobCountView(k, int(v)) for k, v in sorted((run.counts or {}).items())],
        error=run.error,
    )


async def runs_page(name: str | None, first: int | None, after: str | None) -> Page[JobRunView]:
    """Newest first; `name` narrows to one job (a name that never ran: an empty page)."""
    page = await keyset_page(job_runs.history(name), first, after, ("-started_at", "-id"))
    return page.map(view_of)
