"""Usage: ingesting events (rating), allowances, detail records and the data curve."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from db.models.accounts import Subscriber
from db.models.usage import AllowanceBucket, UsageRecord
from db.repositories.allowances import current_buckets
from db.repositories.rating import rate_batch
from domain.accounts import SubscriberStatus, mask_msisdn
from domain.allowances import DISPLAY_UNIT, KB_PER_MB, AllowanceKind, to_display
from domain.calendar import as_utc, cycle_bounds, cycle_of, local
from domain.errors import DomainError, Problem, fail
from domain.rating import DataCategory, UsageKind
from domain.usage import MAX_EVENTS_PER_CALL, IncomingEvent, parse_event, retention_start
from resolvers.context import RequestContext
from resolvers.pagination import Page, keyset_page

# --- ingestion --------------------------------------------------------------------------------


@dataclass
class EventOutcome:
    index: int
    event_id: str
    status: str  # RATED, DUPLICATE, REJECTED
    charge_fen: int = 0


@dataclass
class IngestResult:
    results: list[EventOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def rated(self) -> int:
        return self.count("RATED")

    @property
    def duplicates(self) -> int:
        return self.count("DUPLICATE")

    @property
    def rejected(self) -> int:
        return self.count("REJECTED")

    @property
    def charged_fen(self) -> int:
        return sum(r.charge_fen for r in self.results)


async def ingest(
    ctx: RequestContext,
    raw_events: list[Mapping[str, Any]],
    *,
    now: datetime | None = None,
    at: datetime | None = None,
) -> IngestResult:
    """Rate up to 1,000 events; each is RATED, DUPLICATE (same id, same content: a no-op) or
    REJECTED with a userError naming `events.<index>.<field>`. Valid events are rated even when
    others in the call are rejected."""
    if len(raw_events) > MAX_EVENTS_PER_CALL:
        raise fail(
            "TOO_MANY_EVENTS", f"Send at most {MAX_EVENTS_PER_CALL} events per call.", "events"
        )
    now = now or ctx.now()
    result = IngestResult()
    rejected: dict[int, str] = {}
    parsed: list[tuple[int, IncomingEvent]] = []
    seen_ids: set[str] = set()
    for index, raw in enumerate(raw_events):
        event_id = str(raw.get("eventId") or "")
        try:
            incoming = parse_event(raw, index, now)
        except DomainError as error:
            result.problems.extend(error.problems)
            rejected[index] = event_id
            continue
        if incoming.event.event_id in seen_ids:
            result.problems.append(
                Problem(
                    "DUPLICATE_EVENT_ID",
                    "This eventId appears twice in the call.",
                    f"events.{index}.eventId",
                )
            )
            rejected[index] = event_id
            continue
        seen_ids.add(incoming.event.event_id)
        parsed.append((index, incoming))

    by_msisdn: dict[str, list[tuple[int, IncomingEvent]]] = defaultdict(list)
    for index, incoming in parsed:
        by_msisdn[incoming.msisdn].append((index, incoming))
    subscribers = {s.msisdn: s for s in await Subscriber.filter(msisdn__in=list(by_msisdn))}
    for msisdn, events in by_msisdn.items():
        subscriber = subscribers.get(msisdn)
        if subscriber is None or subscriber.status is SubscriberStatus.CLOSED:
            code, text = (
                ("NOT_FOUND", "This number is not one of ours.")
                if subscriber is None
                else ("ACCOUNT_CLOSED", "This number has been closed.")
            )
            for index, incoming in events:
                result.problems.append(Problem(code, text, f"events.{index}.msisdn"))
                rejected[index] = incoming.event.event_id
            continue
        rating = await rate_batch(subscriber, events, at=at or now)
        for problem in rating.problems:
            result.problems.append(problem)
            index = int((problem.field or "events.-1").split(".")[1])
            rejected[index] = next((i.event.event_id for j, i in events if j == index), "")
        result.results.extend(
            EventOutcome(r.index, r.event_id, r.status, r.charge_fen) for r in rating.results
        )
        if rating.charge_fen:
            await after_balance_drop(ctx, subscriber, rating.balance_after_fen, rating.suspended)
    result.results.extend(EventOutcome(i, eid, "REJECTED") for i, eid in rejected.items())
    result.results.sort(key=lambda r: r.index)
    return result


async def after_balance_drop(
    ctx: RequestContext, subscriber: Subscriber, balance_fen: int | None, suspended: bool
) -> None:
    """Notices and the auto-recharge check, after the charge is committed."""
    from resolvers.payments import maybe_auto_recharge  # both areas call each other's hooks

    if suspended:
        await ctx.services.sms.send(
            subscriber.msisdn,
            "SUSPENDED",
            "您的号码已欠费停机，充值后余额不低于0元即可恢复服务。",
        )
    if balance_fen is not None:
        await maybe_auto_recharge(ctx, subscriber.id, balance_fen)


# --- files: CSV or JSONL ----------------------------------------------------------------------

FILE_FIELDS = (
    "eventId",
    "msisdn",
    "kind",
    "occurredAt",
    "direction",
    "seconds",
    "count",
    "bytes",
    "amountFen",
    "category",
    "counterparty",
    "serviceName",
    "location",
)


def read_events(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a .csv (header with the field names above) or .jsonl file. A line that is not a
    JSON object yields an empty dict, which is then rejected with its index."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    row = {}
                yield row if isinstance(row, dict) else {}
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {k: (v if v != "" else None) for k, v in row.items() if k}


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - (0 if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else 1)


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(FILE_FIELDS))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k) for k in FILE_FIELDS})
    return out.getvalue()


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
