"""Redeeming points in the mall (an order of kind POINTS_REDEMPTION through the ordering
pipeline: `resolvers.ordering.points_redemptions`), cancelling before fulfilment, and the
operator's fulfilment. The same idempotencyKey returns the first redemption."""

from __future__ import annotations

from uuid import UUID

from tortoise.transactions import in_transaction

from db import metrics
from db.models.accounts import Subscriber
from db.models.orders import Order
from db.models.points import Redemption
from db.repositories import mall
from db.repositories import points as points_repo
from db.repositories.business_orders import lock_subscriber
from db.repositories.orders import check_key
from domain.errors import fail
from domain.orders import OrderStatus
from domain.payments import PaymentMethod
from domain.points.mall import (
    CANCELLABLE,
    RedemptionStatus,
    ShippingAddress,
    check_cancellable,
    next_fulfilment,
)
from domain.pricing import Channel
from resolvers.context import RequestContext
from resolvers.mall_payments import redeem_source, refund_payment
from resolvers.ordering.pipeline import place_order
from resolvers.ordering.points_redemptions import PointsRedemption
from resolvers.pagination import Page, keyset_page


async def points_redeem(
    ctx: RequestContext,
    subscriber_id: int,
    item_id: str,
    quantity: int,
    key: str,
    address: ShippingAddress | None,
    method: PaymentMethod | None = None,
    channel: Channel = Channel.APP,
) -> Redemption:
    handler = PointsRedemption(item_id, quantity, address, method)
    order = await place_order(ctx, subscriber_id, check_key(key), handler, channel)
    if handler.redemption is not None and handler.redemption.id == order.id:
        metrics.points_redeemed(handler.redemption.points_spent)  # a new one: not a replay
        return handler.redemption  # written by this request: no need to read it back
    return await Redemption.get(id=order.id)


async def _own(subscriber_id: int, redemption_id: str) -> Redemption:
    try:
        rid = UUID(str(redemption_id))
    except ValueError:
        rid = None
    found = await Redemption.get_or_none(id=rid) if rid else None
    if found is None or found.subscriber_id != subscriber_id:  # type: ignore[attr-defined]
        raise fail("NOT_FOUND", "No such redemption.", "id")
    return found


async def redemption_cancel(
    ctx: RequestContext, subscriber_id: int, redemption_id: str
) -> Redemption:
    """Before fulfilment: points, cash and stock go back exactly once."""
    redemption = await _own(subscriber_id, redemption_id)
    if redemption.status is RedemptionStatus.CANCELLED:
        return redemption
    check_cancellable(redemption.status)
    now = ctx.now()
    async with in_transaction() as conn:
        await lock_subscriber(conn, subscriber_id)
        if not await mall.move_status(conn, redemption.id, CANCELLABLE, RedemptionStatus.CANCELLED):
            fresh = await Redemption.get(id=redemption.id).using_db(conn)
            if fresh.status is RedemptionStatus.CANCELLED:
                return fresh
            check_cancellable(fresh.status)
        item_id = redemption.item_id  # type: ignore[attr-defined]
        await mall.return_limit(conn, item_id, subscriber_id, redemption.quantity)
        await points_repo.refund(
            conn, subscriber_id, redeem_source(redemption.id), now, note="兑换取消"
        )
        await mall.return_stock(conn, item_id, redemption.quantity)
        await (
            Order.filter(id=redemption.id, status=OrderStatus.COMPLETED)
            .using_db(conn)
            .update(status=OrderStatus.CANCELLED, updated_at=now)
        )
    if redemption.payment_id:  # the cash part went through the provider: it goes back there
        await refund_payment(ctx.services, redemption.payment_id, "REDEMPTION_CANCELLED")
    subscriber = await Subscriber.get(id=subscriber_id)
    await ctx.services.sms.send(
        subscriber.msisdn,
        "POINTS_REDEMPTION_CANCELLED",
        f"您的积分兑换已取消，{redemption.points_spent}积分已退回"
        + ("，现金部分已原路退回。" if redemption.payment_id else "。"),
    )
    return await Redemption.get(id=redemption.id)


async def redemption_fulfil(
    ctx: RequestContext,
    redemption_id: str,
    target: RedemptionStatus,
    tracking_number: str | None = None,
) -> Redemption:
    """OPERATOR: ORDERED -> SHIPPED (with a tracking number) -> DELIVERED."""
    try:
        found = await Redemption.get_or_none(id=UUID(str(redemption_id)))
    except ValueError:
        found = None
    if found is None:
        raise fail("NOT_FOUND", "No such redemption.", "id")
    if found.status is target:
        return found  # a repeated call changes nothing
    next_fulfilment(found.status, target)
    changes = {}
    if target is RedemptionStatus.SHIPPED:
        tracking = (tracking_number or "").strip()
        if not 4 <= len(tracking) <= 40:
            raise fail("TRACKING_REQUIRED", "Give the carrier's tracking number.", "trackingNumber")
        changes["tracking_number"] = tracking
    async with in_transaction() as conn:
        if not await mall.move_status(conn, found.id, {found.status}, target, **changes):
            raise fail("INVALID_TRANSITION", "The redemption changed meanwhile.", "status")
    subscriber = await Subscriber.get(id=found.subscriber_id)  # type: ignore[attr-defined]
    text = (
        f"您兑换的商品已发货，运单号{changes['tracking_number']}。"
        if target is RedemptionStatus.SHIPPED
        else "您兑换的商品已签收，感谢使用积分商城。"
    )
    await ctx.services.sms.send(subscriber.msisdn, f"POINTS_GOODS_{target.value}", text)
    return await Redemption.get(id=found.id)


async def redemptions_page(
    subscriber_id: int, first: int | None, after: str | None
) -> Page[Redemption]:
    return await keyset_page(
        mall.redemptions_of(subscriber_id), first, after, ("-created_at", "-id")
    )
