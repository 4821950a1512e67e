"""Orders priced through the engine: the discount, the pricing snapshot, campaign caps taken in
Redis and committed in the database, given back on failure and on supersede, and the race."""

import asyncio
from datetime import timedelta

import pytest

from db.models.orders import Order
from db.models.promotions import CampaignRedemption, CampaignStats
from domain.pricing_codec import quote_from_json
from resolvers import promotion_index
from tests.api.order_helpers import (
    BUNDLE_ORDER,
    PACK_PURCHASE,
    PLAN_CHANGE,
    balance_of,
    new_key,
)
from tests.api.promo_helpers import (
    Window,
    codes,
    create,
    promotions_cleanup,  # noqa: F401 (fixture)
)
from tests.conftest import subscribe

pytestmark = pytest.mark.usefixtures("promotions_cleanup")

STATS = """query($id: ID!) { campaign(id: $id) {
  stats { ordersCount unitsUsed discountGivenFen revenueFen unitsTaken budgetSpentFen } } }"""
BUY = """mutation($pack: ID!, $key: String!, $expected: Int) {
  packPurchase(packId: $pack, idempotencyKey: $key, channel: APP, expectedFinalPriceFen: $expected) {
    order { id status chargedFen finalPriceFen
      pricing { finalPriceFen lines { adjustments { campaignId amountFen } } rejected { campaignId reason } } }
    userErrors { code field message } } }"""


async def stats(api, marketing_token, campaign_id):
    return (await api.as_(marketing_token).data(STATS, id=campaign_id))["campaign"]["stats"]


async def test_a_discounted_pack_purchase_keeps_its_snapshot_and_counts(
    api, services, marketing_token, clock
):
    w = Window()
    clock.set(w.during)
    c = await create(
        api, marketing_token, w, startsAt=w.during.isoformat(),
        caps={"unitsTotal": 10, "perSubscriber": 1},
    )  # fmt: skip
    sub = await subscribe(services, balance_fen=5_000)
    me = api.as_(sub.token)
    key = new_key()
    out = (await me.data(BUY, pack="ADD-7D-1G", key=key, expected=500))["packPurchase"]
    assert out["userErrors"] == []
    order = out["order"]
    assert (order["status"], order["chargedFen"], order["finalPriceFen"]) == ("COMPLETED", 500, 500)
    assert order["pricing"]["lines"][0]["adjustments"] == [
        {"campaignId": c["id"], "amountFen": 500}
    ]
    assert await balance_of(sub.id) == 4_500
    assert await stats(api, marketing_token, c["id"]) == {
        "ordersCount": 1, "unitsUsed": 1, "discountGivenFen": 500, "revenueFen": 500,
        "unitsTaken": 1, "budgetSpentFen": 500,
    }  # fmt: skip
    again = (await me.data(BUY, pack="ADD-7D-1G", key=key))["packPurchase"]["order"]
    assert again["id"] == order["id"]
    assert (await stats(api, marketing_token, c["id"]))["unitsTaken"] == 1
    # per subscriber 1: the next one is quoted, and sold, at the list price
    clock.set(w.during + timedelta(minutes=1))
    second = (await me.data(BUY, pack="ADD-7D-1G", key=new_key()))["packPurchase"]["order"]
    assert second["chargedFen"] == 1000
    assert second["pricing"]["rejected"] == [{"campaignId": c["id"], "reason": "CAP_REACHED"}]
    redemption = await CampaignRedemption.get(order_id=order["id"])
    assert (redemption.state, redemption.units, redemption.reservation_id) == (
        "CONFIRMED", 1, f"order:{order['id']}",
    )  # fmt: skip
    assert await services.stores.campaign_caps.state(redemption.reservation_id) == "CONFIRMED"
    stored = quote_from_json((await Order.get(id=order["id"])).pricing)
    assert stored.applied[0].campaign_id == c["id"] and stored.campaign_units == (c["id"],)


async def test_a_cap_that_runs_out_between_quote_and_order_orders_nothing(
    clock, api, services, marketing_token, monkeypatch
):
    w = Window()
    clock.set(w.during)
    c = await create(api, marketing_token, w, startsAt=w.during.isoformat(), caps={"unitsTotal": 1})
    first = await subscribe(services)
    second = await subscribe(services, balance_fen=3_000)
    out = (await api.as_(first.token).data(BUY, pack="ADD-7D-1G", key=new_key()))["packPurchase"]
    assert out["order"]["chargedFen"] == 500

    async def stale_usage(*args, **kwargs):  # the second customer priced before the first paid
        return {}

    monkeypatch.setattr(promotion_index, "usage_for", stale_usage)
    refused = (await api.as_(second.token).data(BUY, pack="ADD-7D-1G", key=new_key()))[
        "packPurchase"
    ]
    assert codes(refused) == ["CAP_REACHED"] and refused["order"] is None
    assert "测试活动" in refused["userErrors"][0]["message"]
    assert await balance_of(second.id) == 3_000
    assert await Order.filter(subscriber_id=second.id).count() == 0
    assert (await stats(api, marketing_token, c["id"]))["unitsTaken"] == 1


async def test_a_price_that_changed_since_the_quote_orders_nothing(
    api, services, marketing_token, clock
):
    w = Window()
    clock.set(w.during)
    await create(api, marketing_token, w, startsAt=w.during.isoformat())
    sub = await subscribe(services)
    out = (await api.as_(sub.token).data(BUY, pack="ADD-7D-1G", key=new_key(), expected=1000))[
        "packPurchase"
    ]
    assert [(e["code"], e["field"]) for e in out["userErrors"]] == [
        ("PRICE_CHANGED", "expectedFinalPriceFen")
    ]
    assert await Order.filter(subscriber_id=sub.id).count() == 0


async def test_a_failed_order_gives_its_units_back(api, services, marketing_token, clock):
    w = Window()
    clock.set(w.during)
    c = await create(api, marketing_token, w, startsAt=w.during.isoformat(), caps={"unitsTotal": 1})
    poor = await subscribe(services, balance_fen=100)
    out = (await api.as_(poor.token).data(BUY, pack="ADD-7D-1G", key=new_key()))["packPurchase"]
    assert codes(out) == ["INSUFFICIENT_BALANCE"]
    assert (await stats(api, marketing_token, c["id"]))["unitsTaken"] == 0
    rich = await subscribe(services)
    out = (await api.as_(rich.token).data(BUY, pack="ADD-7D-1G", key=new_key()))["packPurchase"]
    assert out["order"]["chargedFen"] == 500  # the unit was there to take


async def test_a_superseded_plan_change_gives_its_units_back(api, services, marketing_token, clock):
    w = Window()
    clock.set(w.during)
    c = await create(
        api, marketing_token, w, startsAt=w.during.isoformat(),
        targets={"planIds": ["4G-196"]},
        benefit={"kind": "RECURRING", "percentBp": 2500, "months": 3},
        caps={"unitsTotal": 3, "perSubscriber": 1},
    )  # fmt: skip
    sub = await subscribe(services)
    me = api.as_(sub.token)
    first = (await me.data(PLAN_CHANGE, plan="4G-196", key=new_key()))["planChange"]["order"]
    assert first["status"] == "SCHEDULED" and first["finalPriceFen"] == 14700
    assert [m["priceFen"] for m in first["pricing"]["schedule"]][:4] == [14700] * 3 + [19600]
    assert await stats(api, marketing_token, c["id"]) == {
        "ordersCount": 1, "unitsUsed": 1, "discountGivenFen": 3 * 4900, "revenueFen": 14700,
        "unitsTaken": 1, "budgetSpentFen": 3 * 4900,
    }  # fmt: skip
    other = (await me.data(PLAN_CHANGE, plan="4G-166", key=new_key()))["planChange"]["order"]
    assert other["finalPriceFen"] == 16600
    assert (await Order.get(id=first["id"])).status.value == "SUPERSEDED"
    assert await stats(api, marketing_token, c["id"]) == {
        "ordersCount": 0, "unitsUsed": 0, "discountGivenFen": 0, "revenueFen": 0,
        "unitsTaken": 0, "budgetSpentFen": 0,
    }  # fmt: skip
    redemption = await CampaignRedemption.get(order_id=first["id"])
    assert redemption.state == "RELEASED"
    assert await services.stores.campaign_caps.state(redemption.reservation_id) == "RELEASED"
    # per subscriber 1 again free: changing back takes the discount again
    back = (await me.data(PLAN_CHANGE, plan="4G-196", key=new_key()))["planChange"]["order"]
    assert back["finalPriceFen"] == 14700
    assert (await stats(api, marketing_token, c["id"]))["unitsTaken"] == 1


async def test_a_bundle_order_takes_the_pack_campaign(api, services, marketing_token, clock):
    w = Window()
    clock.set(w.during)
    c = await create(
        api, marketing_token, w, startsAt=w.during.isoformat(),
        targets={"packIds": ["VOICE-200"]}, benefit={"kind": "AMOUNT_OFF", "amountFen": 1200},
        caps={"unitsTotal": 5},
    )  # fmt: skip
    sub = await subscribe(services)
    combo = {"dataPackId": "DATA-1G", "voicePackId": "VOICE-200"}
    order = (await api.as_(sub.token).data(BUNDLE_ORDER, input=combo, key=new_key()))[
        "bundleOrder"
    ]["order"]
    assert (order["listPriceFen"], order["finalPriceFen"]) == (8000, 6800)
    assert (await stats(api, marketing_token, c["id"]))["unitsUsed"] == 1


async def test_20_parallel_purchases_for_5_discounted_units(api, services, marketing_token, clock):
    w = Window()
    clock.set(w.during)
    c = await create(api, marketing_token, w, startsAt=w.during.isoformat(), caps={"unitsTotal": 5})
    subs = [await subscribe(services, balance_fen=2_000) for _ in range(20)]
    results = await asyncio.gather(
        *(api.as_(s.token).data(PACK_PURCHASE, pack="ADD-7D-1G", key=new_key()) for s in subs)
    )
    outcomes = [r["packPurchase"] for r in results]
    discounted = [o for o in outcomes if o["order"] and o["order"]["finalPriceFen"] == 500]
    full = [o for o in outcomes if o["order"] and o["order"]["finalPriceFen"] == 1000]
    refused = [o for o in outcomes if o["order"] is None]
    assert len(discounted) == 5
    assert len(discounted) + len(full) + len(refused) == 20
    assert {e["code"] for o in refused for e in o["userErrors"]} <= {"CAP_REACHED"}
    committed = await flushed_stats(c["id"])
    assert (committed.units_used, committed.orders_count) == (5, 5)
    assert await CampaignRedemption.filter(campaign_id=c["id"], state="CONFIRMED").count() == 5
    assert (await services.stores.campaign_caps.taken(c["id"]))[0] == 5
    assert sum([await balance_of(s.id) for s in subs]) == 20 * 2_000 - 5 * 500 - len(full) * 1000


async def flushed_stats(campaign_id: str) -> CampaignStats:
    """The committed row once the pending changes are folded in (as the job runner does)."""
    from db.repositories.promotions import flush_stats

    await flush_stats()
    return await CampaignStats.get(campaign_id=campaign_id)
