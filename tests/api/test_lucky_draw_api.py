"""The daily lucky draw: top stage only, costs points, one a day, idempotent, race-safe, and
verifiable: the day's commitment is published before the first draw, the seed after the day."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from db.models.lucky_draw import LuckyDraw
from db.models.points import PointsEntry
from db.repositories import growth as growth_repo
from domain.calendar import local
from domain.points.lucky_draw import Prize, PrizeKind, roll_of, verify
from tests.api.order_helpers import new_key
from tests.api.test_points_api import POINTS, give
from tests.conftest import subscribe

TODAY = """{ me { luckyDraw { day commitment costPoints dailyLimit drawsLeft eligible
  odds { code name kind weight stock } draws { id seq } } } }"""
SPIN = """mutation($key: String!) { luckyDrawSpin(idempotencyKey: $key) {
  draw { id day seq ticket roll weightTotal rolled prize prizeName pointsSpent }
  userErrors { code field message } } }"""
DAY = """query($day: String!) { luckyDrawDay(day: $day) { day commitment seed } }"""


async def top_stage(sub, at) -> None:
    async with in_transaction() as conn:
        await growth_repo.earn(conn, sub.id, f"TEST-GROW:{sub.id}", 2000, at)


@pytest.mark.calendar
async def test_the_top_stage_draws_once_a_day_and_anyone_can_verify_it(api, services, clock):
    clock.set(clock.now())  # frozen: the draws below all fall on one Shanghai day
    sub = await subscribe(services)
    me = api.as_(sub.token)
    await give(sub, 1000, clock.now())
    early = (await me.data(SPIN, key=new_key()))["luckyDrawSpin"]
    assert early["userErrors"][0]["code"] == "STAGE_NOT_REACHED"
    await top_stage(sub, clock.now())

    today = (await api.as_(sub.limited_token).data(TODAY))["me"]["luckyDraw"]
    assert today["eligible"] and today["drawsLeft"] == 1 and today["costPoints"] == 50
    assert len(today["commitment"]) == 64
    published = (await api.data(DAY, day=today["day"]))["luckyDrawDay"]
    assert published == {"day": today["day"], "commitment": today["commitment"], "seed": None}

    key = new_key()
    first = (await me.data(SPIN, key=key))["luckyDrawSpin"]
    draw = first["draw"]
    assert first["userErrors"] == [] and draw["seq"] == 1 and draw["pointsSpent"] == 50
    again = (await me.data(SPIN, key=key))["luckyDrawSpin"]["draw"]
    assert again == draw
    second = (await me.data(SPIN, key=new_key()))["luckyDrawSpin"]
    assert second["userErrors"][0]["code"] == "LIMIT_REACHED"
    assert await PointsEntry.filter(subscriber_id=sub.id, kind="REDEEM").count() == 1
    won = {"P1000": 1000, "P100": 100, "P20": 20}.get(draw["prize"], 0)
    assert (await me.data(POINTS))["me"]["points"]["balance"] == 1000 - 50 + won
    limited = await api.as_(sub.limited_token)(SPIN, key=new_key())
    assert limited["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # The next day the seed is revealed and the draw checks out against the commitment.
    clock.set(clock.now() + timedelta(days=1))
    revealed = (await api.data(DAY, day=today["day"]))["luckyDrawDay"]
    seed = revealed["seed"]
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == today["commitment"]
    odds = [
        Prize(p["code"], p["name"], PrizeKind(p["kind"]), "", p["weight"]) for p in today["odds"]
    ]
    assert draw["ticket"] == f"{today['day']}|{sub.msisdn}|1"
    assert roll_of(seed, draw["ticket"], draw["weightTotal"]) == draw["roll"]
    assert verify(seed, today["commitment"], draw["ticket"], odds, draw["rolled"])
    assert not verify(seed, "0" * 64, draw["ticket"], odds, draw["rolled"])
    tomorrow = (await me.data(TODAY))["me"]["luckyDraw"]
    assert tomorrow["day"] == local(clock.now()).date().isoformat() and tomorrow["drawsLeft"] == 1
    unknown = await api(DAY, day="1999-01-01")
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_parallel_spins_draw_once(api, services, clock, postgres_only):
    sub = await subscribe(services)
    await give(sub, 1000, clock.now())
    await top_stage(sub, clock.now())
    me = api.as_(sub.token)
    results = await asyncio.gather(*(me.data(SPIN, key=new_key()) for _ in range(20)))
    assert sum(1 for r in results if r["luckyDrawSpin"]["draw"]) == 1
    assert await LuckyDraw.filter(subscriber_id=sub.id).count() == 1
    assert await PointsEntry.filter(subscriber_id=sub.id, kind="REDEEM").count() == 1
