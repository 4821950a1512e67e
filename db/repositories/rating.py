"""Rating against the database: one transaction per subscriber and batch.

The subscriber row is locked first (`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises
transactions anyway), so concurrent ingestion for one subscriber is rated one batch after the
other: bucket draws, the cycle's data overflow and the balance always see each other's effects.
Bucket draws are additionally guarded updates (`used <= total - n`), and the unique index on
`event_id` makes a redelivered event a no-op.

A shared plan's member draws the main's plan buckets and the main pays: the batch's charges are
debited from the main's balance (locked before the member), each record names the main as its
`payer`, and the main's issued bill closes the cycle for the member's usage too."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.expressions import F, Q
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.billing import Bill
from db.models.catalog import Plan, RoamingDestination
from db.models.shared_plans import SharedGroup, SharedMember
from db.models.usage import AllowanceBucket, UsageRecord
from db.repositories import balances
from db.repositories.allowances import PLAN_SOURCE, ensure_plan_buckets, to_state
from db.repositories.business_orders import lock_subscriber
from domain.accounts import SubscriberStatus
from domain.allowances import AllowanceKind
from domain.catalog import PlanKind
from domain.errors import Problem
from domain.rating import Rates, RatingRun, RoamingRate, UsageKind, overflow_key
from domain.shared_plan import shares_with_members
from domain.usage import IncomingEvent

USAGE_REASON = "USAGE"


class ConcurrentDraw(Exception):
    """A guarded bucket update found less left than the locked read said: retry the batch."""


@dataclass
class EventResult:
    index: int
    event_id: str
    status: str  # RATED, DUPLICATE
    charge_fen: int = 0


@dataclass
class SubscriberRating:
    subscriber_id: int
    msisdn: str
    results: list[EventResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    charge_fen: int = 0
    balance_after_fen: int | None = None  # the payer's
    suspended: bool = False  # the payer
    payer_id: int | None = None  # the shared plan's main number when it paid, else None


def rates_for(plan: Plan | None) -> Rates:
    """Pay-as-you-go rates: DESIGN §4 defaults, overridden by a plan's `payg_rates` (a JSON
    object such as {"data_fen_per_mb": 20}) if the catalog gives plans one."""
    return Rates.with_overrides(getattr(plan, "payg_rates", None) if plan else None)


async def shared_main_of(subscriber: Subscriber) -> Subscriber | None:
    """The main number whose SHARED plan this subscriber draws, if they are a member."""
    membership = await SharedMember.get_or_none(subscriber_id=subscriber.id)
    if membership is None:
        return None
    group = await SharedGroup.get(id=membership.group_id)  # type: ignore[attr-defined]
    main = await Subscriber.get(id=group.main_id)  # type: ignore[attr-defined]
    plan = await Plan.get_or_none(id=main.plan_id) if main.plan_id else None  # type: ignore[attr-defined]
    on_shared = plan is not None and plan.kind is PlanKind.SHARED
    return main if shares_with_members(main.status, on_shared) else None


async def roaming_rate_table() -> list[RoamingRate]:
    """The catalog's per-zone roaming rates (one small table)."""
    return [
        RoamingRate(d.code, d.data_fen_per_mb, d.voice_fen_per_minute, d.sms_fen_per_message)
        for d in await RoamingDestination.all()
    ]


async def rate_batch(
    subscriber: Subscriber,
    events: Sequence[tuple[int, IncomingEvent]],
    *,
    at: datetime,
    attempts: int = 3,
) -> SubscriberRating:
    """Rate one subscriber's events (index, event) in occurrence order."""
    cycles = sorted({incoming.event.cycle for _, incoming in events})
    for cycle in cycles:
        await ensure_plan_buckets(subscriber, cycle)
    shared_main = await shared_main_of(subscriber)
    if shared_main is not None:
        for cycle in cycles:
            await ensure_plan_buckets(shared_main, cycle)
    plan = await Plan.get_or_none(id=subscriber.plan_id) if subscriber.plan_id else None  # type: ignore[attr-defined]
    for attempt in range(attempts):
        try:
            rates = rates_for(plan).with_roaming(await roaming_rate_table())
            return await _rate_once(
                subscriber, events, cycles, rates, at, shared_main.id if shared_main else None
            )
        except ConcurrentDraw:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


async def _rate_once(
    subscriber: Subscriber,
    events: Sequence[tuple[int, IncomingEvent]],
    cycles: list[str],
    rates: Rates,
    at: datetime,
    shared_main_id: int | None = None,
) -> SubscriberRating:
    outcome = SubscriberRating(subscriber.id, subscriber.msisdn, payer_id=shared_main_id)
    async with in_transaction() as conn:
        # a member's charges are the main's: lock the main first, as its orders do
        payer = await lock_subscriber(conn, shared_main_id) if shared_main_id else None
        locked = await lock_subscriber(conn, subscriber.id)
        assert locked is not None
        payer = payer or locked
        ids = [incoming.event.event_id for _, incoming in events]
        seen = {
            row["event_id"]: row
            for row in await UsageRecord.filter(event_id__in=ids)
            .using_db(conn)
            .values("event_id", "fingerprint", "subscriber_id")
        }
        billed = set(  # the payer's bill: a member's usage is on the main's
            await Bill.filter(subscriber_id=payer.id, cycle__in=cycles)
            .using_db(conn)
            .values_list("cycle", flat=True)
        )
        fresh: list[tuple[int, IncomingEvent]] = []
        for index, incoming in events:
            event = incoming.event
            prior = seen.get(event.event_id)
            if prior is not None:
                if (
                    prior["fingerprint"] == incoming.fingerprint
                    and prior["subscriber_id"] == subscriber.id
                ):
                    outcome.results.append(EventResult(index, event.event_id, "DUPLICATE"))
                else:
                    outcome.problems.append(
                        Problem(
                            "EVENT_ID_REUSED",
                            "This eventId was already rated with different content.",
                            f"events.{index}.eventId",
                        )
                    )
            elif event.cycle in billed:
                outcome.problems.append(
                    Problem(
                        "CYCLE_CLOSED",
                        f"The {event.cycle} bill is issued; late usage is not rated into it.",
                        f"events.{index}.occurredAt",
                    )
                )
            else:
                fresh.append((index, incoming))
        if not fresh:
            return outcome
        fresh.sort(key=lambda pair: (pair[1].event.occurred_at, pair[1].event.event_id))
        earliest = fresh[0][1].event.occurred_at
        latest = fresh[-1][1].event.occurred_at
        owners = Q(subscriber_id=subscriber.id)
        if shared_main_id is not None:  # a shared-plan member also draws the main's plan
            owners |= Q(
                subscriber_id=shared_main_id,
                source=PLAN_SOURCE,
                kind__in=[AllowanceKind.DATA, AllowanceKind.VOICE],
            )
        bucket_rows = (
            await AllowanceBucket.filter(owners, valid_until__gt=earliest, valid_from__lte=latest)
            .using_db(conn)
            .all()
        )
        by_id = {b.id: b for b in bucket_rows}
        prior_overflow = {
            overflow_key(row["cycle"], row["roaming_zone"]): int(row["kb"] or 0)
            for row in await UsageRecord.filter(
                subscriber_id=subscriber.id, kind=UsageKind.DATA, cycle__in=cycles
            )
            .using_db(conn)
            .annotate(kb=Sum("overflow"))
            .group_by("cycle", "roaming_zone")
            .values("cycle", "roaming_zone", "kb")
        }
        run = RatingRun([to_state(b) for b in bucket_rows], rates, dict(prior_overflow))
        records: list[UsageRecord] = []
        taken: dict[int, int] = defaultdict(int)
        for index, incoming in fresh:
            event = incoming.event
            rating = run.rate(event)
            for d in rating.draws:
                taken[d.bucket_id] += d.amount
            records.append(
                UsageRecord(
                    event_id=event.event_id,
                    fingerprint=incoming.fingerprint,
                    subscriber_id=subscriber.id,
                    kind=event.kind,
                    cycle=event.cycle,
                    occurred_at=event.occurred_at,
                    direction=event.direction,
                    seconds=event.seconds,
                    count=event.count,
                    bytes=event.bytes,
                    category=event.category,
                    counterparty=event.counterparty,
                    service_name=event.service_name,
                    location=event.location,
                    roaming_zone=event.roaming_zone,
                    quantity=rating.quantity,
                    drawn=rating.drawn,
                    overflow=rating.overflow,
                    charge_fen=rating.charge_fen,
                    payer_id=shared_main_id,
                    draws=[
                        {
                            "bucketId": d.bucket_id,
                            "amount": d.amount,
                            "source": by_id[d.bucket_id].source,
                            "sourceName": by_id[d.bucket_id].source_name,
                            "kind": str(by_id[d.bucket_id].kind),
                        }
                        for d in rating.draws
                    ],
                    rated_at=at,
                )
            )
            outcome.results.append(EventResult(index, event.event_id, "RATED", rating.charge_fen))
            outcome.charge_fen += rating.charge_fen
        await UsageRecord.bulk_create(records, batch_size=500, using_db=conn)
        for bucket_id, amount in taken.items():
            bucket = by_id[bucket_id]
            updated = (
                await AllowanceBucket.filter(id=bucket_id, used__lte=bucket.total - amount)
                .using_db(conn)
                .update(used=F("used") + amount)
            )
            if not updated:
                raise ConcurrentDraw(bucket_id)
        if outcome.charge_fen:
            outcome.balance_after_fen = await balances.debit(
                conn,
                payer.id,
                outcome.charge_fen,
                USAGE_REASON,
                ref=f"usage:{fresh[0][1].event.event_id}"[:64],
                allow_overdraft=True,
                at=at,
            )
            outcome.suspended = await suspend_if_over_limit(conn, payer, outcome.balance_after_fen)
        else:
            outcome.balance_after_fen = payer.balance_fen
    return outcome


async def suspend_if_over_limit(conn, subscriber: Subscriber, balance_fen: int) -> bool:
    """Arrears past the credit limit suspend an ACTIVE number (停机); returns True if it did."""
    if balance_fen >= -subscriber.credit_limit_fen:
        return False
    return bool(
        await Subscriber.filter(id=subscriber.id, status=SubscriberStatus.ACTIVE)
        .using_db(conn)
        .update(status=SubscriberStatus.SUSPENDED)
    )
