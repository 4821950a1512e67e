"""The growth tree (沃之树): `me.growth` and `growthRewardClaim`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.sessions import Capability
from resolvers import growth
from schema.errors import UserError, payload
from schema.permissions import context, subscriber_session


@strawberry.type
class GrowthReward:
    stage: int
    name: str = strawberry.field(description="The stage's name: 发芽, 小树, 大树, 参天大树.")
    threshold: int
    reward: str
    claimed: bool


@strawberry.type(description="The growth tree (沃之树): grows with pack orders and recharges.")
class Growth:
    value: int
    stage: int
    stage_name: str
    next_stage_at: int | None = strawberry.field(description="Growth value of the next stage.")
    rewards: list[GrowthReward]


@strawberry.type
class SubscriberGrowthFields:
    @strawberry.field(description="The growth tree: readable by LIMITED sessions too.")
    async def growth(self, info: Info) -> Growth:
        subscriber_session(info, Capability.READ_BASIC)
        view = await growth.growth_of(self.id)  # type: ignore[attr-defined]
        return Growth(
            value=view.value,
            stage=view.stage,
            stage_name=view.stage_name,
            next_stage_at=view.next_stage_at,
            rewards=[GrowthReward(**vars(r)) for r in view.rewards],
        )


@strawberry.type
class GrowthRewardClaimPayload:
    reward: GrowthReward | None = None
    user_errors: list[UserError]


@strawberry.type
class GrowthMutation:
    @strawberry.mutation(description="Claim a reached stage's reward, once.")
    async def growth_reward_claim(
        self, info: Info, stage: int, idempotency_key: str
    ) -> GrowthRewardClaimPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            reward = await growth.growth_reward_claim(
                context(info), session.subject_id, stage, idempotency_key
            )
            return {"reward": GrowthReward(**vars(reward))}

        return await payload(GrowthRewardClaimPayload, work)
