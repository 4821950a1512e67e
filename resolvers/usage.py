"""Usage: ingesting events (rating), allowances, detail records and the data curve."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from db.models.accounts import Subscriber
from db.repositories.rating import rate_batch
from domain.accounts import SubscriberStatus
from domain.errors import DomainError, Problem, fail
from domain.usage import MAX_EVENTS_PER_CALL, IncomingEvent, parse_event
from resolvers.context import RequestContext

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
            payer = subscriber
            if rating.payer_id is not None:  # a shared-plan member: the main paid
                payer = await Subscriber.get(id=rating.payer_id)
            await after_balance_drop(ctx, payer, rating.balance_after_fen, rating.suspended)
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
