"""Reads and locks around the business-order record (业务办理记录)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories.orders import check_key
from domain.errors import fail


async def previous_order(subscriber_id: int, key: str, fingerprint: str) -> Order | None:
    """The order this idempotency key already produced: the same request gets it back before
    anything is checked again; a different request under the same key is refused."""
    order = await Order.get_or_none(subscriber_id=subscriber_id, idempotency_key=check_key(key))
    if order is not None and order.details.get("fingerprint") != fingerprint:
        raise fail(
            "IDEMPOTENCY_KEY_REUSED",
            "This idempotencyKey was already used for a different request.",
            "idempotencyKey",
        )
    return order


async def lock_subscriber(conn: BaseDBAsyncClient, subscriber_id: int) -> Subscriber | None:
    """Serialise one subscriber's orders on PostgreSQL (SQLite serialises everything anyway)."""
    return await Subscriber.filter(id=subscriber_id).select_for_update().using_db(conn).first()


def orders_of(subscriber_id: int) -> QuerySet[Order]:
    return Order.filter(subscriber_id=subscriber_id)
