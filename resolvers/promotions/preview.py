"""`promotionPreview`: the quote a customer would get at an instant, as a dry run against the
campaigns as configured now. Nothing is reserved or written."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from db.repositories import promotions as repo
from domain.bundles import BundleSelection, bundle_cart
from domain.catalog import change_effective_from
from domain.errors import fail
from domain.pricing import Cart, Channel, Quote, SubscriberProfile
from domain.promotions.engine import CampaignIndex
from domain.promotions.horizon import check_preview_instant, considered_from
from resolvers.context import RequestContext
from resolvers.ordering.offerings import (
    add_on_cart,
    add_on_for_purchase,
    combo_of,
    plan_cart,
    plan_for_change,
)
from resolvers.pricing import price_with, recharge_cart
from resolvers.promotions.checks import aware


@dataclass(frozen=True)
class PreviewTarget:
    bundle: BundleSelection | None = None
    plan_id: str | None = None
    pack_id: str | None = None
    recharge_amount_fen: int | None = None


async def _preview_cart(target: PreviewTarget, at: datetime) -> tuple[Cart, datetime]:
    given = [
        name
        for name in ("bundle", "plan_id", "pack_id", "recharge_amount_fen")
        if getattr(target, name) is not None
    ]
    if len(given) != 1:
        raise fail(
            "INVALID_ARGUMENT",
            "Give exactly one of bundle, planId, packId and rechargeAmountFen.",
            "input",
        )
    if target.bundle is not None:
        return bundle_cart(await combo_of(target.bundle)), change_effective_from(at)
    if target.plan_id is not None:
        return plan_cart(await plan_for_change(target.plan_id, None)), change_effective_from(at)
    if target.pack_id is not None:
        return add_on_cart(await add_on_for_purchase(target.pack_id)), at
    assert target.recharge_amount_fen is not None
    return recharge_cart(target.recharge_amount_fen), at


async def preview(
    ctx: RequestContext,
    at: datetime,
    channel: Channel,
    profile: SubscriberProfile,
    target: PreviewTarget,
    include_drafts: bool = False,
) -> Quote:
    """The quote a customer with `profile` would get on `channel` at instant `at`, against the
    campaigns as they are configured now (drafts too, as if published, when asked), with the cap
    usage as it stands now. Nothing is reserved or written."""
    at = check_preview_instant(aware(at, "at", "INVALID_ARGUMENT"), ctx.now())
    if profile.tenure_months < 0:
        raise fail("INVALID_ARGUMENT", "Tenure is never negative.", "profile.tenureMonths")
    cart, effective_from = await _preview_cart(target, at)
    campaigns = await repo.preview_campaigns(considered_from(ctx.now(), at), include_drafts)
    if include_drafts:
        campaigns = [dataclasses.replace(c, draft=False) if c.draft else c for c in campaigns]
    return await price_with(
        ctx, cart, effective_from, channel, profile, at, CampaignIndex(campaigns)
    )
