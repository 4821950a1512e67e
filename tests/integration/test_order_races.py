"""Races between orders of one subscriber. On SQLite everything is serialised, so the parallel
balance test only proves something on PostgreSQL; the idempotency race holds on both."""

import asyncio

from db.models.ledger import BalanceEntry
from db.models.orders import Order
from db.models.usage import AllowanceBucket
from tests.api.order_helpers import PACK_PURCHASE, PLAN_CHANGE, balance_of, new_key
from tests.conftest import subscribe


async def test_20_parallel_purchases_on_a_balance_that_covers_5(api, services, postgres_only):
    sub = await subscribe(services, balance_fen=5 * 1000 + 999)
    me = api.as_(sub.token)
    results = await asyncio.gather(
        *(me.data(PACK_PURCHASE, pack="ADD-7D-1G", key=new_key()) for _ in range(20))
    )
    outcomes = [r["packPurchase"] for r in results]
    ok = [o for o in outcomes if o["order"] is not None]
    refused = [o for o in outcomes if o["order"] is None]
    assert len(ok) == 5 and len(refused) == 15
    assert {e["code"] for o in refused for e in o["userErrors"]} == {"INSUFFICIENT_BALANCE"}
    assert await balance_of(sub.id) == 999
    assert await Order.filter(subscriber_id=sub.id).count() == 5
    assert await AllowanceBucket.filter(subscriber_id=sub.id).count() == 5
    assert await BalanceEntry.filter(subscriber_id=sub.id).count() == 5


async def test_parallel_requests_with_one_key_make_one_order(api, services):
    sub = await subscribe(services, balance_fen=10_000)
    me = api.as_(sub.token)
    key = new_key()
    results = await asyncio.gather(
        *(me.data(PACK_PURCHASE, pack="ADD-7D-1G", key=key) for _ in range(10))
    )
    ids = {r["packPurchase"]["order"]["id"] for r in results}
    assert len(ids) == 1
    assert await balance_of(sub.id) == 9_000
    assert await Order.filter(subscriber_id=sub.id).count() == 1


async def test_parallel_plan_changes_leave_one_pending(api, services, postgres_only):
    sub = await subscribe(services)
    me = api.as_(sub.token)
    plans = ["4G-76", "4G-106", "4G-166", "4G-196", "4G-296", "4G-396", "4G-596"] * 2
    await asyncio.gather(*(me.data(PLAN_CHANGE, plan=p, key=new_key()) for p in plans))
    statuses = await Order.filter(subscriber_id=sub.id).values_list("status", flat=True)
    assert len(statuses) == len(plans)
    assert [str(s) for s in statuses].count("SCHEDULED") == 1
