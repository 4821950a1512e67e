"""Keeping Redis loaded from the database (the source of truth): at start-up, whenever a
script answers NOT_LOADED, when the database refuses what Redis granted, and on demand. Also the
per-process caches of the buy path: the sale row, and the sold-out flag that sheds load."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from db.models.flash import FlashSale
from db.repositories import flash_sales as repo
from db.stores.flash_sales import Kept
from domain.errors import fail
from domain.flash.ledger import Hold, HoldState
from domain.flash.model import (
    ReservationStatus,
    ledger_terms,
    ms,
)
from resolvers.context import Services

LOAD_WAIT_SECONDS = 5.0
SOLD_OUT_SHED_SECONDS = 0.5


async def load(services: Services, sale: FlashSale) -> None:
    """Rebuild the sale in Redis from the database, once across all workers (a lock); the others
    wait until it is loaded."""
    store = services.stores.flash_sales
    if not await store.lock_load(sale.id):
        for _ in range(int(LOAD_WAIT_SECONDS / 0.02)):
            await asyncio.sleep(0.02)
            if await store.loaded(sale.id):
                return
        raise fail("TRY_AGAIN", "The flash sale is being prepared; try again.", "flashSaleId")
    try:
        numbers = await repo.unit_numbers(sale.id)
        kept = [
            Kept(
                Hold(
                    str(r.id),
                    str(r.subscriber_id),  # type: ignore[attr-defined]
                    tuple(r.units),
                    ms(r.pay_by),
                    numbers.get(str(r.id), ()),
                    HoldState.HELD if r.status is ReservationStatus.HELD else HoldState.CONFIRMED,
                ),
                r.idempotency_key,
            )
            for r in await repo.kept_reservations(sale.id)
        ]
        booked = [str(b) for b in await repo.booked_ids(sale.id)]
        terms = ledger_terms(repo.terms_of(sale), sale.cancelled)
        await store.load(sale.id, terms, booked, kept)
    finally:
        await store.unlock_load(sale.id)


async def restore(services: Services, now: datetime) -> int:
    """At start-up: every live sale Redis does not know (it restarted empty, a failover) is
    rebuilt before selling resumes. Returns how many were."""
    rebuilt = 0
    for sale in await repo.sales_live_at(now):
        if not await services.stores.flash_sales.loaded(sale.id):
            await load(services, sale)
            rebuilt += 1
    return rebuilt


async def rebuild(services: Services, sale_id: str | None = None) -> int:
    """Forget what Redis holds and load again from the database: one sale, or every live one.
    Selling pauses (NOT_LOADED, fail closed) for the moment it takes."""
    if sale_id is not None:
        found = await repo.sale_by_id(sale_id)
        sales = [found] if found is not None else []
    else:
        sales = await repo.sales_live_at(services.now())
    for sale in sales:
        await services.stores.flash_sales.close(sale.id)  # fail closed until loaded again
        await load(services, sale)
    return len(sales)


# --- a per-process cache of sale terms, for the buy path -------------------------------------

_cached: dict[str, FlashSale] = {}


async def cached_sale(sale_id: str) -> FlashSale | None:
    """The sale row, read once per process: the decisions are taken in Redis on its own copy
    of the terms, so a stale row here can only cost a wasted round trip."""
    found = _cached.get(sale_id)
    if found is None:
        found = await repo.sale_by_id(sale_id)
        if found is not None:
            _cached[sale_id] = found
    return found


def forget(sale_id: str) -> None:
    _cached.pop(sale_id, None)


# --- the local sold-out flag ------------------------------------------------------------------

_sold_out: dict[str, float] = {}


def shed(sale_id: str) -> bool:
    until = _sold_out.get(sale_id)
    return until is not None and time.monotonic() < until


def mark_sold_out(sale_id: str) -> None:
    _sold_out[sale_id] = time.monotonic() + SOLD_OUT_SHED_SECONDS


def stock_returned(sale_id: str) -> None:
    _sold_out.pop(sale_id, None)


async def settle(services: Services, sale: FlashSale, rid: str, sub: str, action: str) -> str:
    store = services.stores.flash_sales
    state = await store.settle(sale.id, rid, sub, action)
    if state == "NOT_LOADED":
        await load(services, sale)
        state = await store.settle(sale.id, rid, sub, action)
    if state in ("RETURNED", "RELEASED"):
        stock_returned(sale.id)
    return state
