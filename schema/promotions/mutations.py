from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import promotions
from schema.permissions import MARKETING, context, session_of
from schema.promotions.inputs import (
    CampaignCreateInput,
    CampaignUpdateInput,
    FestivalCreateInput,
)
from schema.promotions.payloads import CampaignPayload, FestivalPayload, promotion_payload
from schema.promotions.types import Campaign, Festival


@strawberry.type
class PromotionMutation:
    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: a shopping festival to group campaigns.",
    )
    async def festival_create(self, info: Info, input: FestivalCreateInput) -> FestivalPayload:
        session = session_of(info)

        async def work():
            found = await promotions.festival_create(
                context(info), session, input.name, input.description, input.starts_at,
                input.ends_at,
            )  # fmt: skip
            return {"festival": Festival(view=found)}

        return await promotion_payload(FestivalPayload, work)

    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: a campaign, published at once (SCHEDULED or ACTIVE by its "
        "window) unless `draft: true`. `warnings` name conflicts it will have.",
    )
    async def campaign_create(self, info: Info, input: CampaignCreateInput) -> CampaignPayload:
        session = session_of(info)

        async def work():
            result = await promotions.campaign_create(context(info), session, input.fields())
            return {"campaign": Campaign(view=result.campaign), "warnings": result.warnings}

        return await promotion_payload(CampaignPayload, work)

    @strawberry.mutation(
        permission_classes=MARKETING, description="MARKETING: change a DRAFT or SCHEDULED campaign."
    )
    async def campaign_update(self, info: Info, input: CampaignUpdateInput) -> CampaignPayload:
        session = session_of(info)

        async def work():
            result = await promotions.campaign_update(
                context(info), session, str(input.id), input.changes(), input.version
            )
            return {"campaign": Campaign(view=result.campaign), "warnings": result.warnings}

        return await promotion_payload(CampaignPayload, work)

    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: stop a SCHEDULED or ACTIVE campaign for now.",
    )
    async def campaign_pause(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        return await _transition(info, promotions.campaign_pause, id)

    @strawberry.mutation(
        permission_classes=MARKETING, description="MARKETING: resume a PAUSED campaign."
    )
    async def campaign_resume(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        return await _transition(info, promotions.campaign_resume, id)

    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: end a campaign now. New orders no longer get it; orders already "
        "placed keep their benefit (including later months of a recurring discount).",
    )
    async def campaign_end(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        return await _transition(info, promotions.campaign_end, id)


async def _transition(info: Info, action, campaign_id: strawberry.ID) -> CampaignPayload:
    """Pause, resume or end: the campaign back, or userErrors."""
    session = session_of(info)

    async def work():
        return {"campaign": Campaign(view=await action(context(info), session, str(campaign_id)))}

    return await promotion_payload(CampaignPayload, work)
