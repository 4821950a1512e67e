"""Giving back what is not paid in time, and flushing the counted statistics: held
reservations past their deadline go back in Redis and then in the database; database rows Redis
no longer holds are given back after a grace period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from db.models.flash import FlashReservation, FlashSale
from db.models.orders import Order
from db.repositories import flash_sales as repo
from domain.flash.model import (
    ReservationStatus,
)
from domain.orders import OrderStatus
from resolvers.context import Services
from resolvers.flash.loading import load, settle

ORPHAN_GRACE = timedelta(seconds=60)


async def _expire_order(r: FlashReservation) -> None:
    if r.order_id:
        await Order.filter(id=r.order_id, status=OrderStatus.PENDING_PAYMENT).update(
            status=OrderStatus.EXPIRED
        )


async def reap(services: Services, now: datetime | None = None) -> int:
    """Give back every reservation unpaid at its deadline. Safe to run anywhere, any time."""
    now = now or services.now()
    store = services.stores.flash_sales
    returned = 0
    for sale in await repo.sales_live_at(now):
        if not await store.loaded(sale.id):
            await load(services, sale)
        for rid, sub in await store.due(sale.id):
            if await settle(services, sale, rid, sub, "EXPIRE") != "RETURNED":
                continue
            if (row := await repo.give_back(rid, ReservationStatus.EXPIRED)) is not None:
                returned += 1
                await _expire_order(row)
    for r in await repo.overdue(now - ORPHAN_GRACE):
        sale = await FlashSale.get(id=r.sale_id)  # type: ignore[attr-defined]
        await settle(services, sale, str(r.id), str(r.subscriber_id), "RELEASE")  # type: ignore[attr-defined]
        if (row := await repo.give_back(r.id, ReservationStatus.EXPIRED)) is not None:
            returned += 1
            await _expire_order(row)
    return returned


async def flush_stats(services: Services, now: datetime | None = None) -> int:
    """Add the answers Redis counted to the database, one batch per sale."""
    store = services.stores.flash_sales
    flushed = 0
    for sale in await repo.sales_live_at(now or services.now()):
        counts = await store.take_stats(sale.id)
        if counts:
            await repo.add_stats(sale.id, counts)
            await store.stats_flushed(sale.id)
            flushed += sum(counts.values())
    return flushed


@dataclass(frozen=True)
class RoundReport:
    returned: int  # reservations given back to stock
    counted: int  # flash-sale answers added to the database
    refunds: int  # refunds the provider had not answered, done now


async def reap_round(services: Services) -> RoundReport:
    """One round of the background jobs of flash sales (the server every second,
    `telehall flash reap` once): reap, flush the counted answers, retry unanswered refunds."""
    from resolvers.flash.pay import retry_refunds

    returned = await reap(services)
    counted = await flush_stats(services)
    return RoundReport(returned, counted, await retry_refunds(services))
