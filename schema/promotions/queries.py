from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from resolvers import promotions
from resolvers.pagination import Page
from schema.pagination import Connection, connection_of
from schema.permissions import context
from schema.pricing import Quote, quote_errors, quote_view
from schema.promotions.inputs import CampaignFilter, PromotionPreviewInput
from schema.promotions.payloads import input_field
from schema.promotions.types import (
    Campaign,
    Festival,
    PromotionAuditEntry,
    is_marketing,
    marketing,
)


def _wrap(page: Page, cls: type) -> Page:
    return Page(
        [(cursor, cls(view=node)) for cursor, node in page.edges],
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )


@strawberry.type
class PromotionQuery:
    @strawberry.field(
        description="Campaigns, newest first. MARKETING sees all of them and may filter by "
        "status; everyone else sees the ACTIVE ones (their public fields)."
    )
    async def campaigns(
        self,
        info: Info,
        filter: CampaignFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Campaign] | None:
        staff = is_marketing(info)
        f = filter or CampaignFilter()

        async def fetch() -> Page:
            page = await promotions.campaigns_page(
                staff,
                list(f.status or ()),
                str(f.festival_id) if f.festival_id else None,
                f.search,
                first,
                after,
                context(info).now(),
            )
            return _wrap(page, Campaign)

        return await connection_of(fetch)

    @strawberry.field(description="One campaign; for customers only while it is ACTIVE.")
    async def campaign(self, info: Info, id: strawberry.ID) -> Campaign | None:
        found = await promotions.campaign_by_id(
            str(id), staff=is_marketing(info), now=context(info).now()
        )
        return Campaign(view=found) if found is not None else None

    @strawberry.field(description="Shopping festivals, latest first.")
    async def festivals(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Festival] | None:
        async def fetch() -> Page:
            return _wrap(
                await promotions.festivals_page(first, after, context(info).now()), Festival
            )

        return await connection_of(fetch)

    @strawberry.field(
        description="MARKETING: the quote a customer would get at instant `at`, as a dry run "
        "against the campaigns as configured now, so a campaign can be checked before it goes "
        "live. Nothing is reserved."
    )
    async def promotion_preview(self, info: Info, input: PromotionPreviewInput) -> Quote:
        marketing(info)
        try:
            quote = await promotions.preview(
                context(info),
                input.at,
                input.channel,
                input.subscriber_profile(),
                input.target(),
                input.include_drafts,
            )
        except DomainError as error:
            result = quote_errors(error)
            for e in result.user_errors:
                e.field = input_field(e.field)
            return result
        return quote_view(quote)

    @strawberry.field(description="MARKETING: every marketing change, newest first.")
    async def promotion_audit(
        self,
        info: Info,
        campaign_id: strawberry.ID | None = None,
        festival_id: strawberry.ID | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[PromotionAuditEntry] | None:
        marketing(info)
        if campaign_id is not None:
            entity_type, entity_id = "CAMPAIGN", str(campaign_id)
        elif festival_id is not None:
            entity_type, entity_id = "FESTIVAL", str(festival_id)
        else:
            entity_type, entity_id = None, None
        return await connection_of(
            lambda: promotions.audit_page(entity_type, entity_id, first, after)
        )
