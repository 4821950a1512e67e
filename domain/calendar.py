"""The business calendar is Asia/Shanghai; storage is UTC. Windows are half-open [start, end)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware instant")
    return instant.astimezone(UTC)


def local(instant: datetime) -> datetime:
    return as_utc(instant).astimezone(SHANGHAI)


def month_start(year: int, month: int) -> datetime:
    """00:00 Asia/Shanghai on the 1st of that month, as a UTC instant."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=SHANGHAI).astimezone(UTC)


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def next_month_start(instant: datetime) -> datetime:
    """When plan and combo changes take effect: 00:00 Shanghai on the 1st strictly after now."""
    here = local(instant)
    return month_start(*add_months(here.year, here.month, 1))


def cycle_of(instant: datetime) -> str:
    """Billing cycle label 'YYYY-MM' of an instant in the business calendar."""
    here = local(instant)
    return f"{here.year:04d}-{here.month:02d}"


def parse_cycle(cycle: str) -> tuple[int, int]:
    try:
        year_s, month_s = cycle.split("-")
        year, month = int(year_s), int(month_s)
    except ValueError as exc:
        raise ValueError(f"cycle must look like 2026-10, got {cycle!r}") from exc
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise ValueError(f"cycle out of range: {cycle!r}")
    return year, month


def cycle_bounds(cycle: str) -> tuple[datetime, datetime]:
    year, month = parse_cycle(cycle)
    return month_start(year, month), month_start(*add_months(year, month, 1))


def in_window(instant: datetime, starts_at: datetime | None, ends_at: datetime | None) -> bool:
    t = as_utc(instant)
    return (starts_at is None or as_utc(starts_at) <= t) and (
        ends_at is None or t < as_utc(ends_at)
    )


def local_date(instant: datetime) -> date:
    return local(instant).date()


def months_between(start: datetime, end: datetime) -> int:
    """Whole calendar months from start to end in the business calendar (tenure)."""
    a, b = local(start), local(end)
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if (b.day, b.time()) < (a.day, a.time()):
        months -= 1
    return max(months, 0)


DAY = timedelta(days=1)


def end_of_year(year: int) -> datetime:
    """The first instant after 31 December of `year` in Shanghai (exclusive end)."""
    return month_start(year + 1, 1)
