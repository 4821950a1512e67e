"""The growth tree: pack orders and recharges grow it, a reached stage's reward is claimed once."""

from __future__ import annotations

import asyncio

from db.models.growth import GrowthClaim
from db.models.points import PointsEntry
from tests.api.order_helpers import PACK_PURCHASE, new_key
from tests.conftest import subscribe

GROWTH = """{ me { growth { value stage stageName nextStageAt
  rewards { stage name threshold reward claimed } } } }"""
CLAIM = """mutation($stage: Int!, $key: String!) { growthRewardClaim(stage: $stage,
  idempotencyKey: $key) { reward { stage claimed reward } userErrors { code field } } }"""
RECHARGE = """mutation($input: RechargeCreateInput!) { rechargeCreate(input: $input) {
  payment { id } userErrors { code } } }"""
PAY = """mutation($id: ID!) { dev { paymentComplete(paymentId: $id) { httpStatus } } }"""


async def test_orders_and_recharges_grow_the_tree_and_rewards_are_claimed_once(api, services):
    sub = await subscribe(services, balance_fen=100_000)
    me = api.as_(sub.token)
    start = (await api.as_(sub.limited_token).data(GROWTH))["me"]["growth"]
    assert start["value"] == 0 and start["stage"] == 1 and start["nextStageAt"] == 100
    for _ in range(2):
        out = await me.data(PACK_PURCHASE, pack="ADD-HY-12G", key=new_key())
        assert out["packPurchase"]["userErrors"] == []
    paid = await me.data(
        RECHARGE,
        input={
            "msisdn": sub.msisdn,
            "amountFen": 10_000,
            "channel": "APP",
            "paymentMethod": "ALIPAY",
            "idempotencyKey": new_key(),
        },
    )
    await me.data(PAY, id=paid["rechargeCreate"]["payment"]["id"])
    grown = (await me.data(GROWTH))["me"]["growth"]
    charged = grown["value"] - 10
    assert charged > 0 and grown["stage"] >= 2
    early = (await me.data(CLAIM, stage=5, key=new_key()))["growthRewardClaim"]
    assert early["userErrors"][0]["code"] == "STAGE_NOT_REACHED"
    key = new_key()
    first = (await me.data(CLAIM, stage=2, key=key))["growthRewardClaim"]
    again = (await me.data(CLAIM, stage=2, key=key))["growthRewardClaim"]
    assert first["reward"] == again["reward"] == {"stage": 2, "claimed": True, "reward": "200积分"}
    other = (await me.data(CLAIM, stage=2, key=new_key()))["growthRewardClaim"]
    assert other["userErrors"][0]["code"] == "ALREADY_CLAIMED"
    assert await PointsEntry.filter(subscriber_id=sub.id, source__startswith="GROWTH:").count() == 1
    limited = await api.as_(sub.limited_token)(CLAIM, stage=2, key=new_key())
    assert limited["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_50_parallel_claims_of_one_reward_give_one(api, services, postgres_only):
    sub = await subscribe(services, balance_fen=100_000)
    me = api.as_(sub.token)
    await me.data(PACK_PURCHASE, pack="ADD-HY-12G", key=new_key())
    await me.data(PACK_PURCHASE, pack="ADD-HY-12G", key=new_key())
    results = await asyncio.gather(*(me.data(CLAIM, stage=2, key=new_key()) for _ in range(50)))
    ok = [r for r in results if r["growthRewardClaim"]["reward"]]
    assert len(ok) == 1
    assert await GrowthClaim.filter(subscriber_id=sub.id).count() == 1
    assert await PointsEntry.filter(subscriber_id=sub.id, source__startswith="GROWTH:").count() == 1
