"""Campaigns and festivals as GraphQL sees them. Everyone may read a campaign's public face
(name, description, window, status, channels, targets, benefit); its configuration, counts and
history are for MARKETING: those fields are null with a FORBIDDEN error for anyone else."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from domain.accounts import StaffRole
from domain.promotions import model as promo
from resolvers import promotions
from resolvers.promotions import CampaignView, FestivalView
from schema.enums import (
    BenefitKindEnum,
    CampaignStatusEnum,
    ChannelEnum,
    OfferingKindEnum,
    StackingRuleEnum,
)
from schema.pagination import Connection, connection_of
from schema.permissions import MARKETING, context


def is_marketing(info: Info) -> bool:
    session = context(info).session
    return session is not None and session.has_role(StaffRole.MARKETING)


@strawberry.type(description="A shopping festival (e.g. 517 网购节) that groups campaigns.")
class Festival:
    view: strawberry.Private[FestivalView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.view.festival.id)

    @strawberry.field
    def name(self) -> str:
        return self.view.festival.name

    @strawberry.field
    def description(self) -> str:
        return self.view.festival.description

    @strawberry.field
    def starts_at(self) -> datetime:
        return self.view.festival.starts_at

    @strawberry.field(description="Exclusive: the festival runs while startsAt <= t < endsAt.")
    def ends_at(self) -> datetime:
        return self.view.festival.ends_at

    @strawberry.field(description="SCHEDULED, ACTIVE or ENDED.")
    def status(self) -> CampaignStatusEnum:
        return self.view.status


@strawberry.type
class CampaignTargets:
    plan_ids: list[strawberry.ID]
    pack_ids: list[strawberry.ID]
    kinds: list[OfferingKindEnum]
    mall_item_ids: list[strawberry.ID]


@strawberry.type
class CampaignBenefit:
    kind: BenefitKindEnum
    percent_bp: int | None
    amount_fen: int | None
    fixed_price_fen: int | None
    months: int | None
    until: datetime | None
    gift_item: str | None
    multiplier_bp: int | None
    summary: str = strawberry.field(description="For people: 月费5折，至2027年11月30日.")


@strawberry.type
class CampaignAudience:
    new_subscriber: bool
    existing_subscriber: bool
    min_tenure_months: int
    plan_ids: list[strawberry.ID]
    regions: list[str]


@strawberry.type
class CampaignCaps:
    units_total: int | None
    per_subscriber: int | None
    budget_fen: int | None


@strawberry.type(description="What the campaign has given out.")
class CampaignStats:
    orders_count: int = strawberry.field(description="Committed orders (PostgreSQL).")
    units_used: int = strawberry.field(description="Committed units (cart lines).")
    discount_given_fen: int = strawberry.field(
        description="Committed discount over the whole term of each order."
    )
    revenue_fen: int = strawberry.field(
        description="What the orders that used it charge in their first month."
    )
    units_taken: int = strawberry.field(
        description="Units held or confirmed right now (Redis): what the cap counts."
    )
    budget_spent_fen: int = strawberry.field(description="Budget held or confirmed right now.")


@strawberry.type(description="One marketing change: who, when, before and after.")
class PromotionAuditEntry:
    id: strawberry.ID
    entity_type: str = strawberry.field(description="FESTIVAL or CAMPAIGN.")
    entity_id: strawberry.ID
    action: str = strawberry.field(
        description="FESTIVAL_CREATE, CAMPAIGN_CREATE, CAMPAIGN_UPDATE, CAMPAIGN_PAUSE, "
        "CAMPAIGN_RESUME or CAMPAIGN_END."
    )
    actor: str
    at: datetime
    before: JSON | None
    after: JSON | None


def _nonzero(value: int) -> int | None:
    return value or None


@strawberry.type(
    description="A promotion campaign. Public fields for everyone; the rest needs MARKETING."
)
class Campaign:
    view: strawberry.Private[CampaignView]

    @property
    def c(self) -> promo.Campaign:
        return self.view.campaign

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.c.id)

    @strawberry.field
    def name(self) -> str:
        return self.c.name

    @strawberry.field
    def description(self) -> str:
        return self.c.description

    @strawberry.field
    async def festival(self, info: Info) -> Festival | None:
        if self.c.festival_id is None:
            return None
        found = await promotions.festival_by_id(context(info), self.c.festival_id)
        return Festival(view=found) if found is not None else None

    @strawberry.field
    def starts_at(self) -> datetime:
        return self.c.starts_at

    @strawberry.field(description="Exclusive: the campaign runs while startsAt <= t < endsAt.")
    def ends_at(self) -> datetime:
        return self.c.ends_at

    @strawberry.field(description="Derived from the window and the draft/paused flags, now.")
    def status(self) -> CampaignStatusEnum:
        return self.view.status

    @strawberry.field
    def channels(self) -> list[ChannelEnum]:
        return list(self.c.channels)

    @strawberry.field
    def targets(self) -> CampaignTargets:
        t = self.c.targets
        return CampaignTargets(
            plan_ids=[strawberry.ID(i) for i in t.plan_ids],
            pack_ids=[strawberry.ID(i) for i in t.pack_ids],
            kinds=list(t.kinds),
            mall_item_ids=[strawberry.ID(i) for i in t.mall_item_ids],
        )

    @strawberry.field
    def benefit(self) -> CampaignBenefit:
        b = self.c.benefit
        return CampaignBenefit(
            kind=b.kind,
            percent_bp=_nonzero(b.percent_bp),
            amount_fen=_nonzero(b.amount_fen),
            fixed_price_fen=_nonzero(b.fixed_price_fen)
            if b.kind is promo.BenefitKind.FIXED_PRICE
            else None,
            months=_nonzero(b.months),
            until=b.until,
            gift_item=b.gift_item or None,
            multiplier_bp=_nonzero(b.multiplier_bp),
            summary=self.view.benefit_summary,
        )

    # --- MARKETING only ---------------------------------------------------------------------

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    def audience(self) -> CampaignAudience | None:
        a = self.c.audience
        return CampaignAudience(
            new_subscriber=a.segment is promo.Segment.NEW,
            existing_subscriber=a.segment is promo.Segment.EXISTING,
            min_tenure_months=a.min_tenure_months,
            plan_ids=[strawberry.ID(i) for i in a.plan_ids],
            regions=list(a.regions),
        )

    @strawberry.field(
        permission_classes=MARKETING,
        description="MARKETING only. Higher applies first; ties by id.",
    )
    def priority(self) -> int | None:
        return self.c.priority

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    def stacking(self) -> StackingRuleEnum | None:
        return self.c.stacking.rule

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    def combines_with(self) -> list[strawberry.ID] | None:
        return [strawberry.ID(i) for i in self.c.stacking.combines_with]

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    def caps(self) -> CampaignCaps | None:
        caps = self.c.caps
        return CampaignCaps(
            units_total=caps.units_total,
            per_subscriber=caps.per_subscriber,
            budget_fen=caps.budget_fen,
        )

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    def floor_fen(self) -> int | None:
        return self.c.floor_fen

    @strawberry.field(
        permission_classes=MARKETING,
        description="MARKETING only. Grows with every change (campaignUpdate).",
    )
    def version(self) -> int | None:
        return self.view.version

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    def created_at(self) -> datetime | None:
        return self.view.created_at

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    def created_by(self) -> str | None:
        return self.view.created_by

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    def updated_at(self) -> datetime | None:
        return self.view.updated_at

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    def updated_by(self) -> str | None:
        return self.view.updated_by

    @strawberry.field(
        permission_classes=MARKETING, description="MARKETING only: when campaignEnd was pressed."
    )
    def ended_early_at(self) -> datetime | None:
        return self.view.ended_early_at

    @strawberry.field(permission_classes=MARKETING, description="MARKETING only.")
    async def stats(self, info: Info) -> CampaignStats | None:
        found = await promotions.campaign_stats(context(info), self.c.id)
        return CampaignStats(
            orders_count=found.orders_count,
            units_used=found.units_used,
            discount_given_fen=found.discount_given_fen,
            revenue_fen=found.revenue_fen,
            units_taken=found.units_taken,
            budget_spent_fen=found.budget_spent_fen,
        )

    @strawberry.field(
        permission_classes=MARKETING,
        description="MARKETING only: this campaign's changes, newest first.",
    )
    async def audit(
        self, first: int | None = 20, after: str | None = None
    ) -> Connection[PromotionAuditEntry] | None:
        return await connection_of(
            lambda: promotions.audit_page("CAMPAIGN", self.c.id, first, after)
        )
