"""Writes, reads and locks around the business-order record (业务办理记录)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories import promotions as promo_repo
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import OrderDetails
from domain.pricing import Quote
from domain.pricing_codec import quote_to_json


async def lock_subscriber(conn: BaseDBAsyncClient, subscriber_id: int) -> Subscriber | None:
    """Serialise one subscriber's orders on PostgreSQL (SQLite serialises everything anyway)."""
    return await Subscriber.filter(id=subscriber_id).select_for_update().using_db(conn).first()


def orders_of(subscriber_id: int) -> QuerySet[Order]:
    return Order.filter(subscriber_id=subscriber_id)


async def create_order(
    conn: BaseDBAsyncClient,
    *,
    order_id: UUID,
    subscriber_id: int,
    key: str,
    kind: OrderKind,
    status: OrderStatus,
    quote: Quote,
    details: OrderDetails,
    effective_from: datetime,
    reservation_id: str,
    now: datetime,
) -> Order:
    """The order row with its quote snapshot, and the campaign redemptions its quote took."""
    order = await Order.create(
        id=order_id,
        subscriber_id=subscriber_id,
        kind=kind,
        status=status,
        idempotency_key=key.strip(),
        list_price_fen=quote.list_price_fen,
        final_price_fen=quote.final_price_fen,
        pricing=quote_to_json(quote),
        details=details.to_json(),
        effective_from=effective_from,
        created_at=now,
        using_db=conn,
    )
    await promo_repo.record_redemptions(
        conn, reservation_id, order.id, subscriber_id, quote, details.cap_reservation
    )
    return order


async def save_details(conn: BaseDBAsyncClient, order: Order, details: OrderDetails) -> Order:
    order.details = details.to_json()
    await order.save(using_db=conn, update_fields=["details"])
    return order


async def expire_pending_payment(order_id: UUID | str, now: datetime) -> int:
    return await Order.filter(id=order_id, status=OrderStatus.PENDING_PAYMENT).update(
        status=OrderStatus.EXPIRED, updated_at=now
    )
