"""rechargeCreate priced by the engine: 10 % off in the app, its caps held for the payment's
life, counted when the provider says paid, given back when it says failed."""

import pytest

from db.models.promotions import CampaignRedemption
from resolvers import campaign_caps, promotion_index
from tests.api.promo_helpers import (
    Window,
    create,
    promotions_cleanup,  # noqa: F401 (fixture)
)
from tests.billing_helpers import RECHARGE, balance_of, key
from tests.conftest import subscribe

pytestmark = pytest.mark.usefixtures("promotions_cleanup")

COMPLETE = """mutation($id: ID!, $outcome: PaymentCallbackOutcome!) {
  dev { paymentComplete(paymentId: $id, outcome: $outcome) { httpStatus result error } } }"""
STATS = """query($id: ID!) { campaign(id: $id) {
  stats { ordersCount unitsUsed discountGivenFen revenueFen unitsTaken budgetSpentFen } } }"""


async def recharge(api, msisdn: str, channel: str = "APP", amount: int = 5_000) -> dict:
    body = await api.data(
        RECHARGE,
        input={
            "msisdn": msisdn,
            "amountFen": amount,
            "channel": channel,
            "paymentMethod": "ALIPAY",
            "idempotencyKey": key(),
        },
    )
    assert body["rechargeCreate"]["userErrors"] == [], body
    return body["rechargeCreate"]["payment"]


@pytest.fixture
async def app_offer(clock, api, marketing_token, monkeypatch):
    w = Window()
    clock.set(w.during)
    return await create(
        api, marketing_token, w, startsAt=w.during.isoformat(), channels=["APP"],
        targets={"kinds": ["RECHARGE"]}, benefit={"kind": "PERCENT_OFF", "percentBp": 1000},
        caps={"perSubscriber": 1, "budgetFen": 100_000},
    )  # fmt: skip


async def stats(api, token, campaign_id):
    return (await api.as_(token).data(STATS, id=campaign_id))["campaign"]["stats"]


async def test_an_app_recharge_is_discounted_held_and_counted_when_paid(
    api, services, marketing_token, app_offer
):
    sub = await subscribe(services, balance_fen=1_000)
    payment = await recharge(api, sub.msisdn)
    assert (payment["amountFen"], payment["payableFen"]) == (5_000, 4_500)
    held = await stats(api, marketing_token, app_offer["id"])
    assert (held["ordersCount"], held["unitsTaken"], held["budgetSpentFen"]) == (0, 1, 500)
    done = (await api.data(COMPLETE, id=payment["id"], outcome="SUCCESS"))["dev"]
    assert done["paymentComplete"]["result"] == "CREDITED"
    assert await balance_of(sub.id) == 6_000  # the face amount is credited
    assert await stats(api, marketing_token, app_offer["id"]) == {
        "ordersCount": 1, "unitsUsed": 1, "discountGivenFen": 500, "revenueFen": 4_500,
        "unitsTaken": 1, "budgetSpentFen": 500,
    }  # fmt: skip
    ref = campaign_caps.payment_ref(payment["id"])
    assert (await CampaignRedemption.get(ref=ref)).state == "CONFIRMED"
    assert await services.stores.campaign_caps.state(ref) == "CONFIRMED"
    again = await recharge(api, sub.msisdn)  # one per subscriber
    assert again["payableFen"] == 5_000
    web = await recharge(api, (await subscribe(services)).msisdn, channel="WEB")
    assert web["payableFen"] == 5_000


async def test_a_failed_payment_gives_the_hold_back(api, services, marketing_token, app_offer):
    sub = await subscribe(services)
    payment = await recharge(api, sub.msisdn)
    assert (await stats(api, marketing_token, app_offer["id"]))["unitsTaken"] == 1
    await api.data(COMPLETE, id=payment["id"], outcome="FAILED")
    after = await stats(api, marketing_token, app_offer["id"])
    assert (after["unitsTaken"], after["ordersCount"]) == (0, 0)
    ref = campaign_caps.payment_ref(payment["id"])
    assert (await CampaignRedemption.get(ref=ref)).state == "RETURNED"
    assert (await recharge(api, sub.msisdn))["payableFen"] == 4_500  # theirs to take again


async def test_a_recharge_whose_offer_ran_out_meanwhile_is_priced_again(
    api, services, marketing_token, app_offer, monkeypatch
):
    sub = await subscribe(services)
    assert (await recharge(api, sub.msisdn))["payableFen"] == 4_500
    real = promotion_index.usage_for
    calls = []

    async def stale_once(*args, **kwargs):  # priced before the first payment took the unit
        calls.append(1)
        return {} if len(calls) == 1 else await real(*args, **kwargs)

    monkeypatch.setattr(promotion_index, "usage_for", stale_once)
    second = await recharge(api, sub.msisdn)
    assert second["payableFen"] == 5_000 and len(calls) == 2
    assert (await stats(api, marketing_token, app_offer["id"]))["unitsTaken"] == 1
