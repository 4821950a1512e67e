"""Scheduled jobs: the states of a run, and which scheduled instant is due. Pure rules, no I/O.

A job's schedule is a sequence of fire instants (computed by the runner from a cron expression
in Asia/Shanghai). The runner never asks "is it 00:00 now?": it asks which fire instant is the
latest one not after the clock's `now`, and runs that slot unless it already succeeded. A worker
that was down at 00:00 on the 1st therefore still runs the billing close when it comes back,
within the job's catch-up window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class JobRunStatus(StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ABANDONED = "ABANDONED"  # its runner lost the lease (died or stalled); a later one took over


class JobTrigger(StrEnum):
    SCHEDULE = "SCHEDULE"
    MANUAL = "MANUAL"


@dataclass(frozen=True)
class JobOutcome:
    """What a job did, as named counts (e.g. {"billsIssued": 120, "alreadyBilled": 3})."""

    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in self.counts.items():
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"count {name} must be an int")


NextFire = Callable[[datetime], datetime | None]  # first fire instant >= the argument


def latest_due(next_fire: NextFire, now: datetime, catch_up: timedelta) -> datetime | None:
    """The latest fire instant in [now - catch_up, now], or None when none fell in the window."""
    slot = None
    fire = next_fire(now - catch_up)
    while fire is not None and fire <= now:
        slot = fire
        fire = next_fire(fire + timedelta(seconds=1))
    return slot


def may_attempt(failed_attempts: int, max_attempts: int) -> bool:
    """A slot whose runs failed is retried on later ticks, up to `max_attempts` runs in all."""
    return failed_attempts < max_attempts
