"""Quotes for what the hall sells, priced for the caller (or anonymously) without ordering."""

from __future__ import annotations

from domain.bundles import BundleSelection, bundle_cart
from domain.catalog import change_effective_from
from domain.pricing import Channel, Quote
from resolvers.context import RequestContext
from resolvers.ordering.offerings import (
    add_on_cart,
    add_on_for_purchase,
    combo_of,
    plan_cart,
    plan_for_change,
)
from resolvers.ordering.pipeline import caller
from resolvers.pricing import price


async def quote_bundle(ctx: RequestContext, selection: BundleSelection, channel: Channel) -> Quote:
    now = ctx.now()
    combo = await combo_of(selection)
    subscriber = await caller(ctx, now)
    cart = bundle_cart(combo)
    return await price(
        ctx, cart, change_effective_from(now), channel, subscriber=subscriber, now=now
    )


async def quote_plan_change(ctx: RequestContext, plan_id: str, channel: Channel) -> Quote:
    now = ctx.now()
    subscriber = await caller(ctx, now)
    plan = await plan_for_change(plan_id, subscriber)
    cart = plan_cart(plan)
    return await price(
        ctx, cart, change_effective_from(now), channel, subscriber=subscriber, now=now
    )


async def quote_pack_purchase(ctx: RequestContext, pack_id: str, channel: Channel) -> Quote:
    now = ctx.now()
    add_on = await add_on_for_purchase(pack_id)
    subscriber = await caller(ctx, now)
    return await price(ctx, add_on_cart(add_on), now, channel, subscriber=subscriber, now=now)
