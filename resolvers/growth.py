"""The growth tree (沃之树): what the subscriber has grown, and claiming a stage's reward once."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models.catalog import AddOn
from db.models.growth import GrowthClaim
from db.models.orders import Order
from db.repositories import growth as repo
from db.repositories import mall
from db.repositories import points as points_repo
from db.repositories.allowance_grants import grant_add_on
from db.repositories.business_orders import lock_subscriber
from db.repositories.orders import check_key
from domain.errors import fail
from domain.points.growth import STAGES, GrowthRules, RewardKind, check_claim, next_stage, stage_of
from resolvers.context import RequestContext

_rules = [GrowthRules()]


def configure(settings) -> None:
    """The growth rules are settings (TELEHALL_GROWTH_PER_YUAN_ORDER / _PER_TEN_YUAN_RECHARGE),
    read once when the process builds its services."""
    _rules[0] = GrowthRules(
        per_yuan_order=settings.growth_per_yuan_order,
        per_ten_yuan_recharge=settings.growth_per_ten_yuan_recharge,
    )


def rules() -> GrowthRules:
    return _rules[0]


@dataclass(frozen=True)
class StageReward:
    stage: int
    name: str
    threshold: int
    reward: str
    claimed: bool


@dataclass(frozen=True)
class GrowthView:
    value: int
    stage: int
    stage_name: str
    next_stage_at: int | None
    rewards: list[StageReward]


async def growth_of(subscriber_id: int) -> GrowthView:
    value = await repo.value_of(subscriber_id)
    claims = await repo.claims_of(subscriber_id)
    upcoming = next_stage(value)
    current = stage_of(value)
    return GrowthView(
        value=value,
        stage=current.number,
        stage_name=current.name,
        next_stage_at=upcoming.threshold if upcoming else None,
        rewards=[
            StageReward(s.number, s.name, s.threshold, s.reward_name, s.number in claims)
            for s in STAGES
            if s.reward is not None
        ],
    )


async def grow_for_order(conn: BaseDBAsyncClient, order: Order, now) -> bool:
    charged = order.detail.charged_fen
    return await repo.earn(
        conn,
        order.subscriber_id,
        f"ORDER:{order.id}",
        rules().for_order(charged),
        now,  # type: ignore[attr-defined]
    )


async def growth_reward_claim(
    ctx: RequestContext, subscriber_id: int, stage_number: int, key: str
) -> StageReward:
    key = check_key(key)
    now = ctx.now()
    async with in_transaction() as conn:
        await lock_subscriber(conn, subscriber_id)
        stage = check_claim(stage_number, await repo.value_of(subscriber_id, conn))
        found = await repo.claim_of(conn, subscriber_id, stage.number)
        if found is not None:
            if found.idempotency_key != key:
                raise fail("ALREADY_CLAIMED", "This stage's reward was already claimed.", "stage")
        else:
            claim_id = uuid4()
            if stage.reward is RewardKind.POINTS:
                await points_repo.earn(
                    conn,
                    subscriber_id,
                    f"GROWTH:{subscriber_id}:{stage.number}",
                    int(stage.reward_ref),
                    now,
                    note=f"沃之树{stage.name}奖励",
                )
            elif stage.reward is RewardKind.DATA_PACK:
                add_on = await AddOn.get(id=stage.reward_ref).using_db(conn)
                await grant_add_on(conn, subscriber_id, add_on, now, f"G{claim_id.hex}")
            else:
                await mall.take_stock(conn, stage.reward_ref, 1)
                await mall.hand_out_codes(conn, stage.reward_ref, claim_id, 1)
            await GrowthClaim.create(
                subscriber_id=subscriber_id,
                stage=stage.number,
                idempotency_key=key,
                reward=stage.reward_name,
                at=now,
                using_db=conn,
            )
    reward = StageReward(stage.number, stage.name, stage.threshold, stage.reward_name, True)
    if found is None:
        from db.models.accounts import Subscriber

        subscriber = await Subscriber.get(id=subscriber_id)
        await ctx.services.sms.send(
            subscriber.msisdn,
            "GROWTH_REWARD",
            f"您已领取沃之树{stage.name}奖励：{stage.reward_name}。",
        )
    return reward
