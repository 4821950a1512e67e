"""When a job is due: APScheduler's CronTrigger does the cron arithmetic in Asia/Shanghai
(month lengths, leap days), domain.jobs.latest_due picks the slot. The trigger is only asked
about instants we pass in (the hall's clock), never about the wall clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from domain.calendar import SHANGHAI, as_utc
from domain.jobs import latest_due


@dataclass(frozen=True)
class Schedule:
    cron: str  # minute hour day month day-of-week, Asia/Shanghai
    catch_up: timedelta  # a slot missed by longer than this (runner down) is skipped

    def __post_init__(self) -> None:
        self.trigger()  # refuse a malformed expression when the registry is built

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=SHANGHAI)

    def next_fire(self, at: datetime) -> datetime | None:
        """The first fire instant at or after `at` (UTC)."""
        fire = self.trigger().get_next_fire_time(None, as_utc(at))
        return as_utc(fire) if fire is not None else None

    def due(self, now: datetime) -> datetime | None:
        """The slot to run at `now`: the latest fire instant within the catch-up window."""
        trigger = self.trigger()

        def next_fire(at: datetime) -> datetime | None:
            fire = trigger.get_next_fire_time(None, at)
            return as_utc(fire) if fire is not None else None

        return latest_due(next_fire, as_utc(now), self.catch_up)
