from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.jobs import JobRunStatus, JobTrigger


class JobRun(Model):
    """One run of a scheduled job. A slot (name, scheduled_for) may have several attempts when
    runs fail. `fence` is the lease token the runner held, and every write of the run is guarded
    by it, so a runner that lost its lease cannot record over the one that took over."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64)
    scheduled_for = fields.DatetimeField()
    attempt = fields.SmallIntField(default=1)
    trigger = fields.CharEnumField(JobTrigger, max_length=16, default=JobTrigger.SCHEDULE)
    status = fields.CharEnumField(JobRunStatus, max_length=16, default=JobRunStatus.RUNNING)
    fence = fields.BigIntField()
    worker = fields.CharField(max_length=128)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    counts = fields.JSONField(default=dict)
    error = fields.TextField(null=True)

    class Meta:
        table = "job_run"
        unique_together = (("name", "scheduled_for", "attempt"),)
        indexes = (("name", "started_at"),)
