"""The one flash-sale reaper: the server's round, every TELEHALL_FLASH_REAP_SECONDS in every
worker, run by one of them per round (a Redis lease), gives an unpaid unit back within about a
round of its deadline — the job runner has no copy of it (its cron slots are a minute)."""

from __future__ import annotations

import asyncio

import resolvers.flash.reap as reaping
from db.models.flash import FlashReservation
from domain.flash.model import ReservationStatus
from resolvers.jobs.registry import JOBS
from server.app import flash_background
from tests.api.flash_helpers import buy, create_sale
from tests.api.test_flash_sales import at
from tests.conftest import subscribe

ROUND = 0.2


async def test_two_workers_reap_within_a_round_and_run_each_round_once(
    api, services, settings, clock, marketing_token, monkeypatch
):
    assert "flash-reap" not in JOBS  # one reaper: the server's
    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=1, payWithinSeconds=60)
    a = await subscribe(services)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    rounds = 0
    real_round = reaping.reap_round

    async def counted(services):
        nonlocal rounds
        rounds += 1
        return await real_round(services)

    monkeypatch.setattr(reaping, "reap_round", counted)
    quick = settings.model_copy(update={"flash_reap_seconds": ROUND})
    clock.set(at(sale, 61))  # past the deadline
    workers = [asyncio.create_task(flash_background(services, quick)) for _ in range(2)]
    try:
        await asyncio.sleep(ROUND * 6)
    finally:
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    assert (await FlashReservation.get(id=r["id"])).status is ReservationStatus.EXPIRED
    assert await services.stores.flash_sales.remaining(sale["id"]) == 1
    assert 2 <= rounds <= 8  # about one a round for both workers together, not two
