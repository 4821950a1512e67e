"""The subscriber's points (balance, what expires when, what is still pending settlement, the
transactions), operator adjustments, the year-end expiry and the expiry reminders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.points import PointsEntry
from db.repositories import billing as billing_repo
from db.repositories import points as repo
from db.repositories.orders import check_key
from db.repositories.points_expiry import expire_all
from domain.accounts import check_msisdn
from domain.billing import BillStatus, cycle_status, previous_cycles
from domain.calendar import as_utc, cycle_of
from domain.errors import fail
from domain.points.earning import bill_spend_fen
from domain.points.ledger import check_adjustment
from resolvers.context import RequestContext
from resolvers.pagination import Page, keyset_page


@dataclass(frozen=True)
class Expiring:
    amount: int
    expires_at: datetime


@dataclass(frozen=True)
class PointsView:
    subscriber_id: int
    balance: int
    expiring: list[Expiring]


@dataclass(frozen=True)
class ExpiryRun:
    at: datetime
    lots_expired: int
    points_expired: int


async def pending_fen(subscriber: Subscriber, now: datetime) -> int:
    """Spend charged but not yet settled by a bill: the open cycle and one still PENDING (their
    bills looked for in one statement, the lines composed only for a cycle without one)."""
    cycles = [
        cycle
        for cycle in (cycle_of(now), *previous_cycles(now, 1))
        if cycle_status(cycle, now, issued=False) is not BillStatus.ISSUED
    ]
    billed = await billing_repo.bills_of(subscriber.id, cycles)
    total = 0
    for cycle in cycles:
        if cycle in billed:
            continue
        _plan, lines, fee = await billing_repo.cycle_lines(subscriber, cycle)
        total += bill_spend_fen(fee, lines)
    return total


async def points_of(ctx: RequestContext, subscriber: Subscriber) -> PointsView:
    """What may be spent now (one statement): lots already past expiry count no more, even
    before the run."""
    now = ctx.now()
    expiring = [Expiring(p, at) for at, p in await repo.unexpired_by_expiry(subscriber.id, now)]
    return PointsView(
        subscriber_id=subscriber.id, balance=sum(e.amount for e in expiring), expiring=expiring
    )


async def transactions_page(
    subscriber_id: int, first: int | None, after: str | None
) -> Page[PointsEntry]:
    """Newest first."""
    return await keyset_page(repo.entries_of(subscriber_id), first, after, ("-at", "-id"))


async def _subscriber_by_msisdn(msisdn: str) -> Subscriber:
    found = await Subscriber.get_or_none(msisdn=check_msisdn(msisdn))
    if found is None:
        raise fail("NOT_FOUND", "This number is not one of ours.", "msisdn")
    return found


async def points_adjust(
    ctx: RequestContext, msisdn: str, points: int, reason: str, key: str
) -> PointsEntry:
    """An operator's correction with its reason; once per idempotencyKey."""
    subscriber = await _subscriber_by_msisdn(msisdn)
    delta = check_adjustment(points)
    source = f"ADJUST:{subscriber.id}:{check_key(key)}"
    actor = ctx.session.name if ctx.session else "system"
    existed = await PointsEntry.filter(source=source).exists()
    async with in_transaction() as conn:
        entry = await repo.adjust(conn, subscriber.id, source, delta, ctx.now(), reason, actor)
    if not existed:
        verb = "增加" if delta > 0 else "扣减"
        await ctx.services.sms.send(
            subscriber.msisdn,
            "POINTS_ADJUSTED",
            f"您的积分已{verb}{abs(delta)}分（{entry.note}），当前积分{entry.balance_after}分。",
        )
    return entry


async def points_expire(
    at: datetime,
    progress: Callable[[int], None] | None = None,
    batch: int | None = None,
    parallel: int = 1,
) -> ExpiryRun:
    """Expire every lot due at `at` (the CLI, the OPERATOR mutation, the year-end task)."""
    at = as_utc(at)
    options = {"batch": batch} if batch else {}
    lots, points = await expire_all(at, progress=progress, parallel=parallel, **options)
    return ExpiryRun(at, lots, points)


async def points_remind(ctx: RequestContext, now: datetime | None = None) -> int:
    """Queue the expiry reminders that came due (`resolvers.points.jobs`)."""
    from resolvers.points.jobs import send_expiry_reminders

    return await send_expiry_reminders(ctx.services, as_utc(now or ctx.now()))
