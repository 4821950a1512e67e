"""Marketing inputs, converted here into the domain's campaign parts. Fields a benefit kind does
not use are left out (or 0); the domain refuses the ones set for the wrong kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain.errors import fail
from domain.pricing import Channel, SubscriberProfile
from domain.promotions import model as promo
from resolvers.promotions import PreviewTarget
from schema.enums import (
    BenefitKindEnum,
    CampaignStatusEnum,
    ChannelEnum,
    OfferingKindEnum,
    StackingRuleEnum,
)
from schema.orders.inputs import BundleInput

UNSET: Any = strawberry.UNSET


def _given(value: object) -> bool:
    return value is not strawberry.UNSET and value is not None


@strawberry.input(
    description="Who may have the benefit. Nothing set: everyone. `newSubscriber` and "
    "`existingSubscriber` are exclusive (joined less than a month ago, or earlier)."
)
class AudienceInput:
    new_subscriber: bool = False
    existing_subscriber: bool = False
    min_tenure_months: int = 0
    plan_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Only subscribers currently on one of these plans."
    )
    regions: list[str] = strawberry.field(default_factory=list)

    def to_domain(self) -> promo.Audience:
        if self.new_subscriber and self.existing_subscriber:
            raise fail(
                "INVALID_CAMPAIGN",
                "Choose new or existing subscribers, or neither for everyone.",
                "audience",
            )
        segment = (
            promo.Segment.NEW
            if self.new_subscriber
            else promo.Segment.EXISTING
            if self.existing_subscriber
            else promo.Segment.ANY
        )
        return promo.Audience(
            segment=segment,
            min_tenure_months=self.min_tenure_months,
            plan_ids=tuple(str(i) for i in self.plan_ids),
            regions=tuple(self.regions),
        )


@strawberry.input(description="What the campaign prices: plan ids, pack ids, whole kinds.")
class TargetsInput:
    plan_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    pack_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Combo packs and add-on packs."
    )
    kinds: list[OfferingKindEnum] = strawberry.field(
        default_factory=list, description="Every line of a kind, e.g. RECHARGE."
    )
    mall_item_ids: list[strawberry.ID] = strawberry.field(default_factory=list)

    def to_domain(self) -> promo.Targets:
        return promo.Targets(
            plan_ids=tuple(str(i) for i in self.plan_ids),
            pack_ids=tuple(str(i) for i in self.pack_ids),
            kinds=tuple(self.kinds),
            mall_item_ids=tuple(str(i) for i in self.mall_item_ids),
        )


@strawberry.input(
    description="One benefit. PERCENT_OFF: percentBp. AMOUNT_OFF: amountFen. FIXED_PRICE: "
    "fixedPriceFen. RECURRING: percentBp or amountFen, and months or until. FREE_TRIAL: until. "
    "GIFT: giftItem. POINTS_MULTIPLIER: multiplierBp (above 10000 = 1x)."
)
class BenefitInput:
    kind: BenefitKindEnum
    percent_bp: int | None = None
    amount_fen: int | None = None
    fixed_price_fen: int | None = None
    months: int | None = None
    until: datetime | None = strawberry.field(
        default=None, description="Exclusive: every month that starts before it is covered."
    )
    gift_item: str | None = None
    multiplier_bp: int | None = None

    def to_domain(self) -> promo.Benefit:
        if self.gift_item is not None and len(self.gift_item) > 128:
            raise fail("INVALID_CAMPAIGN", "At most 128 characters.", "benefit.giftItem")
        return promo.Benefit(
            kind=self.kind,
            percent_bp=self.percent_bp or 0,
            amount_fen=self.amount_fen or 0,
            fixed_price_fen=self.fixed_price_fen or 0,
            months=self.months or 0,
            until=self.until,
            gift_item=self.gift_item or "",
            multiplier_bp=self.multiplier_bp or 0,
        )


@strawberry.input(description="Caps; a missing one is unlimited. Units count cart lines.")
class CapsInput:
    units_total: int | None = None
    per_subscriber: int | None = None
    budget_fen: int | None = strawberry.field(
        default=None, description="Discount fen over the whole term of every order."
    )

    def to_domain(self) -> promo.Caps:
        return promo.Caps(self.units_total, self.per_subscriber, self.budget_fen)


@strawberry.input
class FestivalCreateInput:
    name: str
    description: str = ""
    starts_at: datetime
    ends_at: datetime


@strawberry.input(
    description="A new campaign; published (SCHEDULED or ACTIVE by its window) unless `draft`."
)
class CampaignCreateInput:
    festival_id: strawberry.ID | None = None
    name: str
    description: str = ""
    starts_at: datetime
    ends_at: datetime
    channels: list[ChannelEnum] = strawberry.field(
        default_factory=lambda: [Channel.WEB, Channel.APP]
    )
    audience: AudienceInput | None = None
    targets: TargetsInput
    benefit: BenefitInput
    priority: int = strawberry.field(default=0, description="Higher applies first.")
    stacking: StackingRuleEnum = promo.StackingRule.STACKABLE
    combines_with: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Campaign ids it shares a line with (replaces the stacking rule's default).",
    )
    caps: CapsInput | None = None
    floor_fen: int | None = strawberry.field(
        default=None, description="This campaign never takes a line below this price."
    )
    draft: bool = False

    def fields(self) -> dict[str, Any]:
        return {
            "festival_id": str(self.festival_id) if self.festival_id else None,
            "name": self.name,
            "description": self.description or "",
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "channels": tuple(self.channels),
            "audience": self.audience.to_domain() if self.audience else promo.Audience(),
            "targets": self.targets.to_domain(),
            "benefit": self.benefit.to_domain(),
            "priority": self.priority,
            "stacking": promo.Stacking(self.stacking, tuple(str(i) for i in self.combines_with)),
            "caps": self.caps.to_domain() if self.caps else promo.Caps(),
            "floor_fen": self.floor_fen,
            "draft": self.draft,
        }


@strawberry.input(
    description="Change a DRAFT or SCHEDULED campaign. Fields left out stay as they are; "
    "`festivalId: null` and `floorFen: null` clear them; `draft: false` publishes a draft. "
    "Give `version` to refuse the change if someone else changed the campaign first."
)
class CampaignUpdateInput:
    id: strawberry.ID
    version: int | None = None
    festival_id: strawberry.ID | None = UNSET
    name: str | None = UNSET
    description: str | None = UNSET
    starts_at: datetime | None = UNSET
    ends_at: datetime | None = UNSET
    channels: list[ChannelEnum] | None = UNSET
    audience: AudienceInput | None = UNSET
    targets: TargetsInput | None = UNSET
    benefit: BenefitInput | None = UNSET
    priority: int | None = UNSET
    stacking: StackingRuleEnum | None = UNSET
    combines_with: list[strawberry.ID] | None = UNSET
    caps: CapsInput | None = UNSET
    floor_fen: int | None = UNSET
    draft: bool | None = UNSET

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.festival_id is not UNSET:
            out["festival_id"] = str(self.festival_id) if self.festival_id else None
        if self.floor_fen is not UNSET:
            out["floor_fen"] = self.floor_fen
        for name in ("name", "description", "starts_at", "ends_at", "priority", "draft"):
            value = getattr(self, name)
            if _given(value):
                out[name] = value
        if _given(self.channels):
            out["channels"] = tuple(self.channels or ())
        if _given(self.audience):
            out["audience"] = self.audience.to_domain()  # type: ignore[union-attr]
        if _given(self.targets):
            out["targets"] = self.targets.to_domain()  # type: ignore[union-attr]
        if _given(self.benefit):
            out["benefit"] = self.benefit.to_domain()  # type: ignore[union-attr]
        if _given(self.caps):
            out["caps"] = self.caps.to_domain()  # type: ignore[union-attr]
        if _given(self.stacking):
            out["stacking_rule"] = self.stacking
        if _given(self.combines_with):
            out["combines_with"] = tuple(str(i) for i in self.combines_with or ())
        return out


@strawberry.input
class CampaignFilter:
    festival_id: strawberry.ID | None = None
    status: list[CampaignStatusEnum] | None = strawberry.field(
        default=None, description="Marketing only; customers always see ACTIVE campaigns."
    )
    search: str | None = strawberry.field(default=None, description="Part of the name.")


@strawberry.input(description="Whom to price for: nothing set is an existing subscriber.")
class PreviewProfileInput:
    new_subscriber: bool = False
    tenure_months: int = 0
    plan_id: strawberry.ID | None = strawberry.field(
        default=None, description="The plan the customer is on now."
    )
    region: str | None = None

    def to_domain(self) -> SubscriberProfile:
        return SubscriberProfile(
            subscriber_id=None,
            new_subscriber=self.new_subscriber,
            tenure_months=self.tenure_months,
            plan_id=str(self.plan_id) if self.plan_id else None,
            region=self.region,
        )


@strawberry.input(
    description="Price one thing as a customer would at instant `at`: exactly one of bundle, "
    "planId, packId and rechargeAmountFen."
)
class PromotionPreviewInput:
    at: datetime
    channel: ChannelEnum = Channel.WEB
    profile: PreviewProfileInput | None = None
    bundle: BundleInput | None = None
    plan_id: strawberry.ID | None = None
    pack_id: strawberry.ID | None = None
    recharge_amount_fen: int | None = None
    include_drafts: bool = strawberry.field(
        default=False, description="Price drafts as if they were published."
    )

    def target(self) -> PreviewTarget:
        return PreviewTarget(
            bundle=self.bundle.selection() if self.bundle else None,
            plan_id=str(self.plan_id) if self.plan_id is not None else None,
            pack_id=str(self.pack_id) if self.pack_id is not None else None,
            recharge_amount_fen=self.recharge_amount_fen,
        )

    def subscriber_profile(self) -> SubscriberProfile:
        return self.profile.to_domain() if self.profile else SubscriberProfile()
