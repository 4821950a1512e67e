"""The record of scheduled-job runs. Every write after the start is guarded by the run's fence
token: a runner that lost its lease finds its UPDATE matching no row."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from db.models.jobs import JobRun
from domain.jobs import JobRunStatus, JobTrigger


async def succeeded(name: str, scheduled_for: datetime) -> bool:
    return await JobRun.filter(
        name=name, scheduled_for=scheduled_for, status=JobRunStatus.SUCCEEDED
    ).exists()


async def failed_attempts(name: str, scheduled_for: datetime) -> int:
    return await JobRun.filter(
        name=name, scheduled_for=scheduled_for, status=JobRunStatus.FAILED
    ).count()


async def abandon_older(name: str, scheduled_for: datetime, fence: int, now: datetime) -> int:
    """Runs of this slot still RUNNING under an older token lost their lease (their runner died
    or stalled past the lease): mark them so they cannot finish over ours."""
    return await JobRun.filter(
        name=name, scheduled_for=scheduled_for, status=JobRunStatus.RUNNING, fence__lt=fence
    ).update(status=JobRunStatus.ABANDONED, finished_at=now, error="lease lost")


async def start(
    name: str,
    scheduled_for: datetime,
    fence: int,
    worker: str,
    trigger: JobTrigger,
    now: datetime,
) -> JobRun | None:
    """The run's row, or None when another runner recorded this attempt first (the unique key
    on (name, scheduled_for, attempt) is the database's own guard beside the lease)."""
    attempt = await JobRun.filter(name=name, scheduled_for=scheduled_for).count() + 1
    try:
        return await JobRun.create(
            name=name,
            scheduled_for=scheduled_for,
            attempt=attempt,
            trigger=trigger,
            status=JobRunStatus.RUNNING,
            fence=fence,
            worker=worker[:128],
            started_at=now,
        )
    except IntegrityError:
        return None


async def finish(
    run: JobRun, status: JobRunStatus, counts: dict[str, int], error: str | None, now: datetime
) -> bool:
    """Record the end; False when the run was taken over meanwhile (its fence moved on)."""
    moved = await JobRun.filter(id=run.id, fence=run.fence, status=JobRunStatus.RUNNING).update(
        status=status, finished_at=now, counts=counts, error=error
    )
    return bool(moved)


def history(name: str | None = None):
    query = JobRun.all()
    return query.filter(name=name) if name else query


async def last_runs() -> dict[str, JobRun]:
    """The latest run of each job name."""
    latest: dict[str, JobRun] = {}
    for run in await JobRun.all().order_by("-started_at", "-id").limit(500):
        latest.setdefault(run.name, run)
    return latest


async def prune(before: datetime) -> int:
    return await JobRun.filter(started_at__lt=before).exclude(status=JobRunStatus.RUNNING).delete()


def keep_since(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
