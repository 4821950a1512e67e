"""Where a yearly festival falls relative to an instant (Asia/Shanghai business days), so demo
festivals and campaigns can be placed in their next, current or last occurrence on any day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.calendar import add_months, local_date


@dataclass(frozen=True)
class Occurrence:
    first: date  # first business day, inclusive
    last: date  # last business day, inclusive

    @property
    def year(self) -> int:
        return self.first.year


def _days(year: int, month: int, first_day: int, last_day: int) -> Occurrence:
    return Occurrence(date(year, month, first_day), date(year, month, last_day))


def upcoming(now: datetime, month: int, first_day: int, last_day: int) -> Occurrence:
    """The occurrence running at `now`, or else the next one (517: May 15–21)."""
    today = local_date(now)
    this_year = _days(today.year, month, first_day, last_day)
    return (
        this_year if today <= this_year.last else _days(today.year + 1, month, first_day, last_day)
    )


def latest(now: datetime, month: int, first_day: int, last_day: int) -> Occurrence:
    """The occurrence running at `now`, or else the last one that began (双11: November 1–11)."""
    today = local_date(now)
    this_year = _days(today.year, month, first_day, last_day)
    return (
        this_year if today >= this_year.first else _days(today.year - 1, month, first_day, last_day)
    )


SEASON_NAMES = {12: "岁末新春季", 3: "春日焕新季", 6: "清凉暑期季", 9: "金秋感恩季"}


def season(now: datetime) -> Occurrence:
    """The three-month season (Dec–Feb, Mar–May, Jun–Aug, Sep–Nov) that contains `now`."""
    today = local_date(now)
    back = (today.month % 12) % 3  # months since the season began: Dec→0, Jan→1, Feb→2, Mar→0…
    year, month = add_months(today.year, today.month, -back)
    end_year, end_month = add_months(year, month, 3)
    first = date(year, month, 1)
    last = date.fromordinal(date(end_year, end_month, 1).toordinal() - 1)
    return Occurrence(first, last)
