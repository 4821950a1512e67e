"""The one place the hall turns a cart into a quote. Every quote and every order goes through
`price` (recharges through `price_recharge`), which runs the promotions engine against the
published campaigns (`resolvers.promotion_index`) and their cap usage in Redis."""

from __future__ import annotations

from datetime import datetime

from db.models.accounts import Subscriber
from domain.calendar import months_between
from domain.errors import fail
from domain.money import yuan
from domain.payments import MAX_RECHARGE_FEN
from domain.pricing import Cart, CartLine, Channel, OfferingKind, Quote, SubscriberProfile
from domain.promotions.engine import CampaignIndex, evaluate
from resolvers import promotion_index
from resolvers.context import RequestContext

NEW_SUBSCRIBER_MONTHS = 1
RECHARGE_OFFERING = "RECHARGE"


def profile_of(subscriber: Subscriber | None, now: datetime) -> SubscriberProfile:
    """What audience rules may look at; anonymous callers price as an unknown existing one."""
    if subscriber is None:
        return SubscriberProfile()
    return profile_from(
        subscriber.id,
        subscriber.joined_at,
        subscriber.plan_id,  # type: ignore[attr-defined]
        subscriber.region,
        now,
    )


def profile_from(
    subscriber_id: int, joined_at: datetime, plan_id: str | None, region: str, now: datetime
) -> SubscriberProfile:
    """The same profile from the columns alone (the fan-out reads thousands as plain tuples)."""
    tenure = months_between(joined_at, now)
    return SubscriberProfile(
        subscriber_id=str(subscriber_id),
        new_subscriber=tenure < NEW_SUBSCRIBER_MONTHS,
        tenure_months=tenure,
        plan_id=plan_id,
        region=region,
    )


async def price(
    ctx: RequestContext,
    cart: Cart,
    effective_from: datetime,
    channel: Channel,
    *,
    subscriber: Subscriber | None = None,
    now: datetime,
) -> Quote:
    """Price `cart` for the caller (`subscriber`, or anonymous) on `channel` at `now`.

    `effective_from` is when the offerings start (plan changes: the 1st of next month); it anchors
    the month-by-month schedule and the terms of recurring benefits.
    """
    loaded = await promotion_index.active_campaigns(ctx.services, now)
    return await price_with(
        ctx, cart, effective_from, channel, profile_of(subscriber, now), now, loaded.index
    )


async def price_with(
    ctx: RequestContext,
    cart: Cart,
    effective_from: datetime,
    channel: Channel,
    profile: SubscriberProfile,
    at: datetime,
    index: CampaignIndex,
) -> Quote:
    """The engine against a given campaign index (customer quotes, or a marketing preview)."""
    usage = await promotion_index.usage_for(ctx.services, index, cart, profile.subscriber_id, at)
    return evaluate(cart, profile, channel, at, index, usage, effective_from)


def recharge_cart(amount_fen: int) -> Cart:
    if not isinstance(amount_fen, int) or not 1 <= amount_fen <= MAX_RECHARGE_FEN:
        raise fail(
            "INVALID_AMOUNT",
            f"A recharge is ¥0.01 to {yuan(MAX_RECHARGE_FEN)}.",
            "rechargeAmountFen",
        )
    return Cart(
        (
            CartLine(
                offering_id=RECHARGE_OFFERING,
                kind=OfferingKind.RECHARGE,
                name=f"充值{yuan(amount_fen)}",
                list_price_fen=amount_fen,
                recurring=False,
            ),
        )
    )


async def price_recharge(
    ctx: RequestContext,
    amount_fen: int,
    channel: Channel,
    subscriber: Subscriber | None,
    *,
    now: datetime,
) -> Quote:
    """A one-line RECHARGE cart of `amount_fen` of balance for the number recharged;
    `quote.final_price_fen` is what the payer is charged (e.g. 10 % off in the app). Recharges
    hold the quote's caps with the payment (`resolvers.payments.priced_payment`)."""
    return await price(ctx, recharge_cart(amount_fen), now, channel, subscriber=subscriber, now=now)
