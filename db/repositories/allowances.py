"""Allowance buckets: the plan's monthly buckets are created lazily, once per subscriber and
cycle, by whoever needs them first (rating or a read). The unique index on (subscriber, kind,
source, source_id, valid_from) makes concurrent creation safe: the loser's insert fails and the
winner's row serves both."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.catalog import Plan
from db.models.usage import AllowanceBucket
from domain.allowances import KB_PER_MB, AllowanceKind
from domain.calendar import cycle_bounds, cycle_of, parse_cycle
from domain.rating import BucketState

PLAN_SOURCE = "PLAN"


def plan_allowances(plan: Plan) -> list[tuple[AllowanceKind, int]]:
    """A month of the plan in base units (DATA in KB)."""
    wanted = [
        (AllowanceKind.DATA, plan.data_mb * KB_PER_MB),
        (AllowanceKind.VOICE, plan.voice_minutes),
        (AllowanceKind.SMS, plan.sms_count),
    ]
    return [(kind, total) for kind, total in wanted if total > 0]


async def ensure_plan_buckets(subscriber: Subscriber, cycle: str) -> None:
    """Create this cycle's PLAN buckets from `subscriber.plan` unless they exist: one SELECT when
    they do (the usual case: no Plan read). All of a cycle's buckets are written in one
    transaction, so any bucket found means all of them are there; a lost race surfaces as an
    IntegrityError and rolls the loser back, which is the expected outcome."""
    parse_cycle(cycle)
    plan_id = subscriber.plan_id  # type: ignore[attr-defined]
    if plan_id is None:
        return
    start, end = cycle_bounds(cycle)
    if end <= subscriber.joined_at:
        return
    if await AllowanceBucket.exists(
        subscriber_id=subscriber.id, source=PLAN_SOURCE, valid_from=start
    ):
        return
    plan = await Plan.get_or_none(id=plan_id)
    if plan is None:
        return
    rows = [
        AllowanceBucket(
            subscriber_id=subscriber.id,
            kind=kind,
            total=total,
            used=0,
            source=PLAN_SOURCE,
            source_id=plan.id,
            source_name=plan.name,
            valid_from=start,
            valid_until=end,
            grant=f"PLAN:{cycle}",
        )
        for kind, total in plan_allowances(plan)
    ]
    if not rows:
        return
    with suppress(IntegrityError):  # created concurrently by another request
        async with in_transaction() as conn:
            for row in rows:
                await row.save(using_db=conn)


async def plan_of_cycle(subscriber: Subscriber, cycle: str, conn=None) -> Plan | None:
    """The plan a cycle was on: the one its PLAN buckets came from (a plan change that took
    effect on the 1st must not re-price the month before), else the subscriber's plan."""
    start, _ = cycle_bounds(cycle)
    plan_id = (
        await AllowanceBucket.filter(
            subscriber_id=subscriber.id, source=PLAN_SOURCE, valid_from=start
        )
        .using_db(conn)
        .order_by("id")
        .first()
        .values_list("source_id", flat=True)
    ) or subscriber.plan_id  # type: ignore[attr-defined]
    return await Plan.filter(id=plan_id).using_db(conn).first() if plan_id else None


PRELOADED = "buckets_valid_when_read"  # set on a Subscriber row by `db.repositories.callers`


def preload_current_buckets(subscriber: Subscriber, buckets: list[AllowanceBucket]) -> None:
    """The buckets read with the row (valid at the request's instant): `current_buckets` of
    this row answers them instead of reading again."""
    setattr(subscriber, PRELOADED, buckets)


async def current_buckets(subscriber: Subscriber, now: datetime) -> list[AllowanceBucket]:
    """Every bucket valid now (the hall's progress bars), earliest-expiring first."""
    query = AllowanceBucket.filter(
        subscriber_id=subscriber.id, valid_from__lte=now, valid_until__gt=now
    ).order_by("kind", "valid_until", "id")
    found = getattr(subscriber, PRELOADED, None)
    if found is None:
        found = await query
    cycle = cycle_of(now)
    start, _end = cycle_bounds(cycle)
    if any(b.source == PLAN_SOURCE and b.valid_from == start for b in found):
        return found  # the usual case: one SELECT
    await ensure_plan_buckets(subscriber, cycle)
    return await query


def to_state(bucket: AllowanceBucket) -> BucketState:
    return BucketState(
        id=bucket.id,
        kind=AllowanceKind(bucket.kind),
        total=bucket.total,
        used=bucket.used,
        valid_from=bucket.valid_from,
        valid_until=bucket.valid_until,
        source=bucket.source,
        source_name=bucket.source_name,
        scope=bucket.scope,
    )
