"""`telehall flash reap` and `telehall flash rebuild` as an operator runs them: a separate
process on the same database and Redis, its business time given by TELEHALL_CLOCK_START."""

from __future__ import annotations

import asyncio
from datetime import datetime

import tests.api.test_bills_api as bills
from db.models.flash import FlashReservation
from db.repositories.flash_sales import units_taken
from domain.flash.model import ReservationStatus
from tests.api.flash_helpers import SALE, buy, create_sale
from tests.api.test_flash_sales import at
from tests.conftest import subscribe


def run_flash(settings, when: datetime, *args: str):
    """The CLI with its clock started at `when` (run_cli starts it at the hall's now)."""
    original = bills.hall_now
    bills.hall_now = lambda: when  # type: ignore[assignment]
    try:
        return bills.run_cli(settings, "flash", *args)
    finally:
        bills.hall_now = original


async def test_cli_flash_reap_gives_back_what_is_unpaid_once(
    api, settings, services, clock, marketing_token
):
    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=3, payWithinSeconds=60)
    a = await subscribe(services)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    early = await asyncio.to_thread(run_flash, settings, at(sale, 30), "reap")
    assert early.returncode == 0, early.stderr + early.stdout
    assert "0 reservation(s) returned" in early.stdout  # not due yet
    assert (await FlashReservation.get(id=r["id"])).status is ReservationStatus.HELD
    done = await asyncio.to_thread(run_flash, settings, at(sale, 61), "reap")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "1 reservation(s) returned to stock" in done.stdout
    assert (await FlashReservation.get(id=r["id"])).status is ReservationStatus.EXPIRED
    assert await units_taken(sale["id"]) == 0
    shown = (await api.as_(a.token).data(SALE, id=sale["id"]))["flashSale"]
    assert shown["remaining"] == 3 and shown["myUnits"] == 0
    again = await asyncio.to_thread(run_flash, settings, at(sale, 62), "reap")
    assert again.returncode == 0 and "0 reservation(s) returned" in again.stdout


async def test_cli_flash_rebuild_restores_redis_from_the_database(
    api, settings, services, clock, marketing_token
):
    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=5)
    a = await subscribe(services)
    clock.set(at(sale))
    assert (await buy(api, a.token, sale["id"], quantity=2))["userErrors"] == []
    store = services.stores.flash_sales
    await services.stores.redis.set(store.sale_key(sale["id"], "stock"), 5)  # Redis forgot
    assert await store.remaining(sale["id"]) == 5
    done = await asyncio.to_thread(run_flash, settings, at(sale, 1), "rebuild", sale["id"])
    assert done.returncode == 0, done.stderr + done.stdout
    assert "1 flash sale(s) rebuilt" in done.stdout
    assert await store.remaining(sale["id"]) == 3  # initial - held, from the database
    shown = (await api.as_(a.token).data(SALE, id=sale["id"]))["flashSale"]
    assert shown["myUnits"] == 2
    missing = await asyncio.to_thread(run_flash, settings, at(sale, 1), "rebuild", "fs-nope")
    assert missing.returncode == 0 and "0 flash sale(s) rebuilt" in missing.stdout
