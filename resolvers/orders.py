"""Business orders (业务办理): bundle orders and plan changes (scheduled for the 1st of next month,
replacing any pending change), pack purchases (at once, paid from the balance), and the quotes
that price them. Every order is idempotent per (subscriber, idempotencyKey), keeps its quote as a
pricing snapshot and queues an SMS notice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.catalog import AddOn, Plan
from db.models.orders import Order
from db.repositories import balances, business_orders, catalog, plan_changes
from db.repositories import promotions as promo_repo
from db.repositories.allowance_grants import grant_add_on
from db.repositories.orders import place_once, previous_order
from domain.accounts import SubscriberStatus
from domain.bundles import BundleSelection, Combo, bundle_cart, compose
from domain.calendar import local, utcnow
from domain.catalog import PlanKind, change_effective_from, validity_end
from domain.errors import DomainError, fail
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.pricing import Cart, CartLine, Channel, OfferingKind, Quote
from domain.pricing_codec import quote_to_json
from resolvers import campaign_caps, points_earning
from resolvers.context import RequestContext
from resolvers.pagination import Page, keyset_page
from resolvers.pricing import price


@dataclass(frozen=True)
class PendingChange:
    plan_id: str
    effective_from: datetime
    kind: OrderKind
    order: Order


# --- loading the subscriber -----------------------------------------------------------------


async def subscriber_now(subscriber_id: int, now: datetime) -> Subscriber | None:
    """The subscriber with any plan change that fell due already applied."""
    await plan_changes.apply_due_changes(now, subscriber_id)
    return await Subscriber.get_or_none(id=subscriber_id)


async def _caller(ctx: RequestContext, now: datetime) -> Subscriber | None:
    session = ctx.session
    if session is None or not session.is_subscriber:
        return None
    return await subscriber_now(session.subject_id, now)


def _check_may_transact(subscriber: Subscriber) -> None:
    if subscriber.status is SubscriberStatus.CLOSED:
        raise fail("ACCOUNT_CLOSED", "This number has been closed.", None)
    if subscriber.status is SubscriberStatus.SUSPENDED:
        raise fail(
            "ACCOUNT_SUSPENDED",
            "This number is suspended for arrears: recharge first, then try again.",
            None,
        )


async def _transactor(subscriber_id: int, now: datetime) -> Subscriber:
    subscriber = await subscriber_now(subscriber_id, now)
    if subscriber is None:
        raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
    return subscriber


# --- carts ----------------------------------------------------------------------------------


def plan_cart(plan: Plan) -> Cart:
    return Cart(
        (
            CartLine(
                offering_id=plan.id,
                kind=OfferingKind.PLAN,
                name=plan.name,
                list_price_fen=plan.monthly_fee_fen,
                recurring=True,
            ),
        )
    )


def add_on_cart(add_on: AddOn) -> Cart:
    return Cart(
        (
            CartLine(
                offering_id=add_on.id,
                kind=OfferingKind.ADDON,
                name=add_on.name,
                list_price_fen=add_on.price_fen,
                recurring=False,
            ),
        )
    )


# --- validation -----------------------------------------------------------------------------


async def _combo(selection: BundleSelection) -> Combo:
    found = await catalog.pack_infos(pid for _, pid in selection.entries())
    return compose(selection, found)


async def _plan_for_change(plan_id: str, subscriber: Subscriber | None) -> Plan:
    plan = await catalog.plan_by_id(plan_id)
    if plan is None:
        raise fail("UNKNOWN_PLAN", f"There is no plan {(plan_id or '').strip()[:64]}.", "planId")
    if plan.kind is PlanKind.COMBO:
        raise fail(
            "PLAN_NOT_AVAILABLE", "A combo is ordered from its packs with bundleOrder.", "planId"
        )
    if not (plan.active and plan.listed):
        raise fail("PLAN_NOT_AVAILABLE", f"{plan.name} is no longer on sale.", "planId")
    if subscriber is not None and plan.requires_5g and not subscriber.device_5g:
        raise fail(
            "DEVICE_NOT_5G",
            f"{plan.name} needs a 5G phone; we have no 5G device on record for this number.",
            "planId",
        )
    return plan


async def _add_on_for_purchase(pack_id: str) -> AddOn:
    add_on = await catalog.add_on_by_id(pack_id)
    if add_on is None:
        if await catalog.pack_exists(pack_id):
            raise fail(
                "PACK_NOT_AVAILABLE",
                "This pack is part of the 4G national combo: order it with bundleOrder.",
                "packId",
            )
        raise fail("UNKNOWN_PACK", f"There is no pack {(pack_id or '').strip()[:64]}.", "packId")
    if not add_on.active:
        raise fail("PACK_NOT_AVAILABLE", f"{add_on.name} is no longer on sale.", "packId")
    return add_on


async def _check_not_current(subscriber: Subscriber, plan_id: str, now: datetime) -> None:
    """Ordering the plan one is on is a no-op, unless it cancels a different pending change."""
    if subscriber.plan_id != plan_id:  # type: ignore[attr-defined]
        return
    if await plan_changes.pending_change(subscriber.id, now) is None:
        raise fail("ALREADY_ON_PLAN", "You are already on this plan.", None)


# --- quotes ---------------------------------------------------------------------------------


async def quote_bundle(ctx: RequestContext, selection: BundleSelection, channel: Channel) -> Quote:
    now = utcnow()
    combo = await _combo(selection)
    subscriber = await _caller(ctx, now)
    return await price(
        ctx, bundle_cart(combo), change_effective_from(now), channel, subscriber=subscriber, now=now
    )


async def quote_plan_change(ctx: RequestContext, plan_id: str, channel: Channel) -> Quote:
    now = utcnow()
    subscriber = await _caller(ctx, now)
    plan = await _plan_for_change(plan_id, subscriber)
    return await price(
        ctx, plan_cart(plan), change_effective_from(now), channel, subscriber=subscriber, now=now
    )


async def quote_pack_purchase(ctx: RequestContext, pack_id: str, channel: Channel) -> Quote:
    now = utcnow()
    add_on = await _add_on_for_purchase(pack_id)
    subscriber = await _caller(ctx, now)
    return await price(ctx, add_on_cart(add_on), now, channel, subscriber=subscriber, now=now)


# --- orders ---------------------------------------------------------------------------------


def _shanghai_day(instant: datetime) -> str:
    here = local(instant)
    return f"{here.year}年{here.month}月{here.day}日"


def _shanghai_minute(instant: datetime) -> str:
    return local(instant).strftime("%Y-%m-%d %H:%M")


async def _create_order(
    conn: BaseDBAsyncClient,
    order_id: UUID,
    subscriber_id: int,
    key: str,
    kind: OrderKind,
    status: OrderStatus,
    quote: Quote,
    details: dict[str, Any],
    effective_from: datetime,
) -> Order:
    order = await Order.create(
        id=order_id,
        subscriber_id=subscriber_id,
        kind=kind,
        status=status,
        idempotency_key=key.strip(),
        list_price_fen=quote.list_price_fen,
        final_price_fen=quote.final_price_fen,
        pricing=quote_to_json(quote),
        details=details,
        effective_from=effective_from,
        using_db=conn,
    )
    await promo_repo.record_redemptions(
        conn,
        campaign_caps.reservation_id(order.id),
        order.id,
        subscriber_id,
        quote,
        details.get("cap_reservation"),
    )
    return order


Place = Callable[[BaseDBAsyncClient, UUID, str | None], Awaitable[Order]]


async def _place_priced(
    ctx: RequestContext,
    subscriber_id: int,
    key: str,
    fingerprint: str,
    quote: Quote,
    now: datetime,
    place: Place,
) -> tuple[Order, bool]:
    """`place_once` with the quote's campaign caps held around it (`resolvers.campaign_caps`):
    reserved before the transaction, given back if it fails or a concurrent request with the same
    key won, confirmed after it commits. The reservation id is the new order's id, so a replay
    (which finds the order first) never reserves twice."""
    order_id = uuid4()
    try:
        rid = await campaign_caps.hold(
            ctx.services, campaign_caps.reservation_id(order_id), subscriber_id, quote, now
        )
    except DomainError:
        found = await previous_order(subscriber_id, key, fingerprint)
        if found is not None:
            return found, False
        raise

    async def placing(conn: BaseDBAsyncClient) -> Order:
        return await place(conn, order_id, rid)

    try:
        order, new = await place_once(subscriber_id, key, fingerprint, placing)
    except BaseException:
        await campaign_caps.cancel(ctx.services, rid, now)
        raise
    if new:
        await campaign_caps.confirm(ctx.services, rid, subscriber_id, quote, now)
    else:
        await campaign_caps.cancel(ctx.services, rid, now)
    return order, new


def _check_expected(quote: Quote, expected_fen: int | None) -> None:
    """The client may say what it showed the customer: a different price orders nothing."""
    if expected_fen is not None and expected_fen != quote.final_price_fen:
        raise fail(
            "PRICE_CHANGED",
            f"The price is now {yuan(quote.final_price_fen)}, not the {yuan(expected_fen)} you "
            "were shown: nothing was ordered. Quote again and confirm the new price.",
            "expectedFinalPriceFen",
        )


def _price_note(quote: Quote) -> str:
    if not quote.discount_fen:
        return ""
    return f"，活动优惠{yuan(quote.discount_fen)}，首月{yuan(quote.final_price_fen)}"


async def _schedule_change(
    ctx: RequestContext,
    subscriber: Subscriber,
    key: str,
    fingerprint: str,
    kind: OrderKind,
    plan: Plan,
    quote: Quote,
    channel: Channel,
    now: datetime,
    extra: dict[str, Any],
) -> tuple[Order, bool]:
    effective_from = quote.effective_from
    details = {
        "fingerprint": fingerprint,
        "plan_id": plan.id,
        "from_plan_id": subscriber.plan_id,  # type: ignore[attr-defined]
        "channel": channel.value,
        "charged_fen": 0,
        "summary": f"{'订购' if kind is OrderKind.BUNDLE else '变更套餐为'}{plan.name}",
        **extra,
    }

    to_release: list[str] = []

    async def place(conn: BaseDBAsyncClient, order_id: UUID, rid: str | None) -> Order:
        locked = await business_orders.lock_subscriber(conn, subscriber.id)
        if locked is None:
            raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
        _check_may_transact(locked)
        pending = await plan_changes.scheduled_ids(conn, subscriber.id)
        details["superseded"] = await plan_changes.supersede_pending(conn, subscriber.id, now)
        # The replaced change never takes effect: its campaign units go back to the caps.
        to_release[:] = await promo_repo.release_orders(conn, pending)
        if rid is not None:
            details["cap_reservation"] = rid
        return await _create_order(
            conn,
            order_id,
            subscriber.id,
            key,
            kind,
            OrderStatus.SCHEDULED,
            quote,
            details,
            effective_from,
        )

    order, new = await _place_priced(ctx, subscriber.id, key, fingerprint, quote, now, place)
    if new:
        await campaign_caps.release(ctx.services, to_release)
        await ctx.services.sms.send(
            subscriber.msisdn,
            f"ORDER_{kind.value}",
            f"您已成功{details['summary']}，月费{yuan(plan.monthly_fee_fen)}{_price_note(quote)}，"
            f"将于{_shanghai_day(effective_from)}0时生效，当月仍按原套餐计费。",
        )
    return order, new


async def bundle_order(
    ctx: RequestContext,
    subscriber_id: int,
    selection: BundleSelection,
    key: str,
    channel: Channel = Channel.WEB,
    expected_fen: int | None = None,
) -> Order:
    now = utcnow()
    fingerprint = selection.fingerprint()
    if (found := await previous_order(subscriber_id, key, fingerprint)) is not None:
        return found
    subscriber = await _transactor(subscriber_id, now)
    _check_may_transact(subscriber)
    combo = await _combo(selection)
    await _check_not_current(subscriber, combo.id, now)
    quote = await price(
        ctx, bundle_cart(combo), change_effective_from(now), channel, subscriber=subscriber, now=now
    )
    _check_expected(quote, expected_fen)
    plan = await catalog.ensure_combo_plan(combo)
    order, _ = await _schedule_change(
        ctx,
        subscriber,
        key,
        fingerprint,
        OrderKind.BUNDLE,
        plan,
        quote,
        channel,
        now,
        {"pack_ids": list(combo.pack_ids)},
    )
    return order


async def plan_change(
    ctx: RequestContext,
    subscriber_id: int,
    plan_id: str,
    key: str,
    channel: Channel = Channel.WEB,
    expected_fen: int | None = None,
) -> Order:
    now = utcnow()
    fingerprint = f"PLAN_CHANGE:{(plan_id or '').strip()}"
    if (found := await previous_order(subscriber_id, key, fingerprint)) is not None:
        return found
    subscriber = await _transactor(subscriber_id, now)
    _check_may_transact(subscriber)
    plan = await _plan_for_change(plan_id, subscriber)
    await _check_not_current(subscriber, plan.id, now)
    quote = await price(
        ctx, plan_cart(plan), change_effective_from(now), channel, subscriber=subscriber, now=now
    )
    _check_expected(quote, expected_fen)
    order, _ = await _schedule_change(
        ctx, subscriber, key, fingerprint, OrderKind.PLAN_CHANGE, plan, quote, channel, now, {}
    )
    return order


async def pack_purchase(
    ctx: RequestContext,
    subscriber_id: int,
    pack_id: str,
    key: str,
    channel: Channel = Channel.WEB,
    expected_fen: int | None = None,
) -> Order:
    now = utcnow()
    fingerprint = f"PACK_PURCHASE:{(pack_id or '').strip()}"
    if (found := await previous_order(subscriber_id, key, fingerprint)) is not None:
        return found
    subscriber = await _transactor(subscriber_id, now)
    _check_may_transact(subscriber)
    add_on = await _add_on_for_purchase(pack_id)
    quote = await price(ctx, add_on_cart(add_on), now, channel, subscriber=subscriber, now=now)
    _check_expected(quote, expected_fen)
    charge = quote.final_price_fen
    details: dict[str, Any] = {
        "fingerprint": fingerprint,
        "add_on_id": add_on.id,
        "channel": channel.value,
        "charged_fen": charge,
        "summary": f"订购{add_on.name}",
    }

    async def place(conn: BaseDBAsyncClient, order_id: UUID, rid: str | None) -> Order:
        locked = await business_orders.lock_subscriber(conn, subscriber.id)
        if locked is None:
            raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
        _check_may_transact(locked)
        if rid is not None:
            details["cap_reservation"] = rid
        order = await _create_order(
            conn,
            order_id,
            subscriber.id,
            key,
            OrderKind.PACK_PURCHASE,
            OrderStatus.COMPLETED,
            quote,
            details,
            now,
        )
        await balances.debit(conn, subscriber.id, charge, "PACK_PURCHASE", str(order.id))
        buckets = await grant_add_on(conn, subscriber.id, add_on, now, order.id)
        order.details = {
            **details,
            "bucket_ids": [b.id for b in buckets],
            "valid_until": max(b.valid_until for b in buckets).isoformat()
            if buckets
            else validity_end(add_on.validity_kind, add_on.validity_length, now).isoformat(),
        }
        await order.save(using_db=conn, update_fields=["details"])
        await points_earning.earn_for_order(conn, order, now)
        return order

    order, new = await _place_priced(ctx, subscriber.id, key, fingerprint, quote, now, place)
    if new:
        until = datetime.fromisoformat(order.details["valid_until"])
        await ctx.services.sms.send(
            subscriber.msisdn,
            "ORDER_PACK_PURCHASE",
            f"您已成功订购{add_on.name}，费用{yuan(charge)}已从账户余额扣除，立即生效，"
            f"有效期至{_shanghai_minute(until)}。",
        )
    return order


# --- reading --------------------------------------------------------------------------------


async def pending_change(subscriber: Subscriber) -> PendingChange | None:
    now = utcnow()
    await plan_changes.apply_due_changes(now, subscriber.id)
    order = await plan_changes.pending_change(subscriber.id, now)
    if order is None:
        return None
    return PendingChange(
        plan_id=order.details["plan_id"],
        effective_from=order.effective_from,  # type: ignore[arg-type]
        kind=order.kind,
        order=order,
    )


async def orders_page(subscriber_id: int, first: int | None, after: str | None) -> Page[Order]:
    """Newest first: the subscriber's business-order records (业务办理记录)."""
    return await keyset_page(
        business_orders.orders_of(subscriber_id), first, after, ("-created_at", "-id")
    )
