"""What a subscriber reads of their usage: allowances, detail records and the data curve."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from db.models.accounts import Subscriber
from db.models.usage import AllowanceBucket, UsageRecord
from db.repositories.allowances import current_buckets
from domain.accounts import mask_msisdn
from domain.allowances import DISPLAY_UNIT, KB_PER_MB, AllowanceKind, to_display
from domain.calendar import as_utc, cycle_bounds, cycle_of, local
from domain.errors import fail
from domain.rating import DataCategory, UsageKind
from domain.usage import retention_start
from resolvers.pagination import Page, keyset_page

# --- allowances -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    kind: AllowanceKind
    unit: str
    total: int
    used: int
    remaining: int
    source: str
    source_name: str
    valid_from: datetime
    valid_until: datetime
    scope: str | None = None


def allowance_of(bucket: AllowanceBucket) -> Allowance:
    """Display units; data shows whole MB and never overstates what is left (remaining rounds
    down, used is the rest, so used + remaining = total on every bar)."""
    kind = AllowanceKind(bucket.kind)
    total = to_display(kind, bucket.total)
    remaining = min(to_display(kind, max(bucket.total - bucket.used, 0)), total)
    return Allowance(
        kind=kind,
        unit=DISPLAY_UNIT[kind],
        total=total,
        used=total - remaining,
        remaining=remaining,
        source=bucket.source,
        source_name=bucket.source_name,
        valid_from=bucket.valid_from,
        valid_until=bucket.valid_until,
        scope=bucket.scope,
    )


async def allowances(subscriber: Subscriber, now: datetime) -> list[Allowance]:
    return [allowance_of(b) for b in await current_buckets(subscriber, now)]


# --- detail records ---------------------------------------------------------------------------


def window(
    start: datetime | None, end: datetime | None, now: datetime, months: int
) -> tuple[datetime, datetime]:
    """A half-open window clamped to the retention period (nothing older is kept)."""
    oldest = retention_start(now, months)
    start = as_utc(start) if start else oldest
    end = as_utc(end) if end else now + timedelta(days=1)
    if end <= start:
        raise fail("INVALID_ARGUMENT", "`from` must be before `to`.", "from")
    return max(start, oldest), end


async def usage_records(
    subscriber: Subscriber,
    kind: UsageKind | None,
    start: datetime | None,
    end: datetime | None,
    first: int | None,
    after: str | None,
    now: datetime,
) -> Page[UsageRecord]:
    """Newest first. kind SMS also lists MMS (the hall's 短彩信 tab)."""
    start, end = window(start, end, now, 6)
    query = UsageRecord.filter(
        subscriber_id=subscriber.id, occurred_at__gte=start, occurred_at__lt=end
    )
    if kind is UsageKind.SMS:
        query = query.filter(kind__in=[UsageKind.SMS, UsageKind.MMS])
    elif kind is not None:
        query = query.filter(kind=kind)
    return await keyset_page(query, first, after, ("-occurred_at", "-id"))


SERVICE_NUMBER_MAX = 6  # 10086, 95588, 12345: public service numbers are shown in full


def masked_counterparty(record: UsageRecord) -> str | None:
    """186****0001 for a subscriber's number (mobile or fixed line), short service numbers as
    they are."""
    number = record.counterparty
    if not number:
        return None
    if number.startswith("+86"):
        number = number[3:]
    if len(number) <= SERVICE_NUMBER_MAX:
        return number
    return mask_msisdn(number)


# --- the data curve ---------------------------------------------------------------------------


class Granularity(StrEnum):
    HOUR = "HOUR"
    DAY = "DAY"


MAX_POINTS = {Granularity.HOUR: 24 * 31, Granularity.DAY: 31 * 6 + 1}


@dataclass(frozen=True)
class CategoryUsage:
    category: DataCategory
    kilobytes: int

    @property
    def megabytes(self) -> float:
        return round(self.kilobytes / KB_PER_MB, 3)


@dataclass(frozen=True)
class DataPoint:
    at: datetime
    kilobytes: int
    by_category: list[CategoryUsage]

    @property
    def megabytes(self) -> float:
        return round(self.kilobytes / KB_PER_MB, 3)


def _slot(instant: datetime, granularity: Granularity) -> datetime:
    here = local(instant)
    if granularity is Granularity.HOUR:
        return here.replace(minute=0, second=0, microsecond=0)
    return here.replace(hour=0, minute=0, second=0, microsecond=0)


def _next(slot: datetime, granularity: Granularity) -> datetime:
    """The next slot start in Shanghai wall time (no DST there, so plain arithmetic is exact)."""
    return slot + (timedelta(hours=1) if granularity is Granularity.HOUR else timedelta(days=1))


async def data_usage(
    subscriber: Subscriber,
    start: datetime | None,
    end: datetime | None,
    granularity: Granularity,
    now: datetime,
) -> list[DataPoint]:
    """Mobile data per hour or per day (Asia/Shanghai), zero-filled, with a per-category split.
    Defaults: HOUR → today, DAY → the current cycle."""
    if start is None:
        if granularity is Granularity.HOUR:
            start = _slot(now, Granularity.DAY)
        else:
            start = cycle_bounds(cycle_of(now))[0]
    if end is None:
        end = (
            _next(_slot(start, Granularity.DAY), Granularity.DAY)
            if granularity is Granularity.HOUR
            else cycle_bounds(cycle_of(start))[1]
        )
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise fail("INVALID_ARGUMENT", "`from` must be before `to`.", "from")
    start = max(start, retention_start(now))
    first_slot = _slot(start, granularity)
    slots: list[datetime] = []
    slot = first_slot
    while slot < end:
        slots.append(slot)
        if len(slots) > MAX_POINTS[granularity]:
            raise fail(
                "INVALID_ARGUMENT",
                f"At most {MAX_POINTS[granularity]} points: narrow the range.",
                "to",
            )
        slot = _next(slot, granularity)
    rows = await UsageRecord.filter(
        subscriber_id=subscriber.id,
        kind=UsageKind.DATA,
        occurred_at__gte=first_slot,
        occurred_at__lt=end,
    ).values_list("occurred_at", "quantity", "category")
    totals: dict[datetime, dict[DataCategory, int]] = {s: defaultdict(int) for s in slots}
    for occurred_at, kb, category in rows:
        key = _slot(occurred_at, granularity)
        if key in totals:
            totals[key][DataCategory(category or DataCategory.OTHER)] += int(kb)
    points = []
    for s in slots:
        split = totals[s]
        by_category = [CategoryUsage(c, split[c]) for c in DataCategory if split.get(c)]
        points.append(DataPoint(s, sum(split.values()), by_category))
    return points
