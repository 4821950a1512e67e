"""The one place the hall turns a cart into a quote. Every quote and every order goes through
`price`, so the promotions engine is switched on here and nowhere else."""

from __future__ import annotations

from datetime import datetime

from db.models.accounts import Subscriber
from domain.calendar import months_between, utcnow
from domain.pricing import Cart, Channel, Quote, SubscriberProfile, list_quote
from resolvers.context import RequestContext

NEW_SUBSCRIBER_MONTHS = 1


def profile_of(subscriber: Subscriber | None, now: datetime) -> SubscriberProfile:
    """What audience rules may look at; anonymous callers price as an unknown existing one."""
    if subscriber is None:
        return SubscriberProfile()
    tenure = months_between(subscriber.joined_at, now)
    return SubscriberProfile(
        subscriber_id=str(subscriber.id),
        new_subscriber=tenure < NEW_SUBSCRIBER_MONTHS,
        tenure_months=tenure,
        plan_id=subscriber.plan_id,  # type: ignore[attr-defined]
        region=subscriber.region,
    )


async def price(
    ctx: RequestContext,
    cart: Cart,
    effective_from: datetime,
    channel: Channel,
    *,
    subscriber: Subscriber | None = None,
    now: datetime | None = None,
) -> Quote:
    """Price `cart` for the caller (`subscriber`, or anonymous) on `channel`.

    Until the promotions engine lands this is the list price: final equals list on every line,
    no adjustments, no rejections. The engine replaces the body with
    `evaluate(cart, profile, channel, now, campaigns, usage, effective_from)`.
    """
    now = now or utcnow()
    _profile = profile_of(subscriber, now)
    return list_quote(cart, effective_from)
