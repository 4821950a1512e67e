"""Campaign-cap holds that lapsed, late confirmations and half-done releases (see
`resolvers.campaign_caps`). `sweep` is safe every minute (`telehall promotions sweep`); `hold`
also sweeps lazily, at most every 30 s per process, so caps come back without a cron."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from db.models.orders import Order
from db.repositories import business_orders, redemptions
from db.repositories import promotions as repo
from db.stores.reservations import Take
from domain.calendar import as_utc
from domain.orders import OrderStatus
from domain.promotions.cap_refs import late_ref, ms, order_of, ref_of
from domain.promotions.caps import CapTake
from resolvers.context import Services

LAZY_SWEEP_EVERY = timedelta(seconds=30)
CLOSED_WITHOUT_EFFECT = (
    OrderStatus.SUPERSEDED,
    OrderStatus.CANCELLED,
    OrderStatus.EXPIRED,
    OrderStatus.FAILED,
)
_last_sweep: dict[str, datetime] = {}


@dataclass(frozen=True)
class SweepReport:
    expired: int = 0  # lapsed holds given back
    orders_expired: int = 0  # PENDING_PAYMENT orders marked EXPIRED
    late_confirmed: int = 0  # committed orders whose lapsed hold was re-taken
    released: int = 0  # reservations of superseded/cancelled orders given back


async def retake_late(
    services: Services, rid: str, subscriber_id: int, takes: Sequence[CapTake], now: datetime
) -> None:
    """The order committed but its hold is gone: count its units anyway (no cap check)."""
    store = services.stores.campaign_caps
    late = late_ref(rid)
    now_ms = ms(now)
    uncapped = [Take(t.campaign_id, t.units, t.budget_fen) for t in takes]
    await store.reserve(late, str(subscriber_id), uncapped, now_ms, now_ms + 60_000)
    await store.settle(late, "CONFIRM", now_ms)
    await store.keep_confirmed(late)
    await redemptions.move_reservation(rid, late)


async def expire_due(services: Services, now: datetime, limit: int = 500) -> SweepReport:
    store = services.stores.campaign_caps
    now_ms = ms(now)
    expired = orders_expired = late = 0
    for rid in await store.due(now_ms, limit):
        if await store.settle(rid, "EXPIRE", now_ms) != "RETURNED":
            continue
        expired += 1
        kind, ident = ref_of(rid)
        if kind == "payment" and ident is not None:
            late += await _payment_lapsed(services, rid, now)
            continue
        order_id = order_of(rid)
        order = await Order.get_or_none(id=order_id) if order_id else None
        if order is None:
            continue  # the order never committed: nothing else to do
        if order.status is OrderStatus.PENDING_PAYMENT:
            orders_expired += await business_orders.expire_pending_payment(order.id, as_utc(now))
            continue
        _, takes = await redemptions.confirmed_takes(rid)
        if takes:
            await retake_late(services, rid, order.subscriber_id, takes, now)  # type: ignore[attr-defined]
            late += 1
    return SweepReport(expired=expired, orders_expired=orders_expired, late_confirmed=late)


async def _payment_lapsed(services: Services, rid: str, now: datetime) -> int:
    """A recharge hold lapsed: unpaid, its redemptions are RETURNED; already paid (the process
    died before confirming), its units are re-taken."""
    subscriber_id, takes = await redemptions.confirmed_takes(rid)
    if takes and subscriber_id is not None:
        await retake_late(services, rid, subscriber_id, takes, now)
        return 1
    await redemptions.return_held_of(rid)
    return 0


async def sweep(services: Services, now: datetime, limit: int = 500) -> SweepReport:
    """Expire lapsed holds, then give back what closed orders still hold."""
    report = await expire_due(services, now, limit)
    for order_id in await repo.confirmed_on_closed_orders(list(CLOSED_WITHOUT_EFFECT), limit):
        async with in_transaction() as conn:
            await repo.release_orders(conn, [order_id])
    rids = await repo.releasing_reservations(limit)
    await release(services, rids)
    return SweepReport(
        expired=report.expired,
        orders_expired=report.orders_expired,
        late_confirmed=report.late_confirmed,
        released=len(rids),
    )


async def release(services: Services, rids: Sequence[str]) -> None:
    """Give confirmed reservations back in Redis (their redemptions are already RELEASING)."""
    store = services.stores.campaign_caps
    for rid in rids:
        await store.release(rid)
    await repo.mark_released(rids)


async def lazy_sweep(services: Services, now: datetime) -> None:
    prefix = services.stores.campaign_caps.prefix
    last = _last_sweep.get(prefix)
    if last is not None and last <= now < last + LAZY_SWEEP_EVERY:
        return
    _last_sweep[prefix] = now
    await expire_due(services, now, limit=100)
