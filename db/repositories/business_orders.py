"""Reads and locks around the business-order record (业务办理记录)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet

from db.models.accounts import Subscriber
from db.models.orders import Order


async def lock_subscriber(conn: BaseDBAsyncClient, subscriber_id: int) -> Subscriber | None:
    """Serialise one subscriber's orders on PostgreSQL (SQLite serialises everything anyway)."""
    return await Subscriber.filter(id=subscriber_id).select_for_update().using_db(conn).first()


def orders_of(subscriber_id: int) -> QuerySet[Order]:
    return Order.filter(subscriber_id=subscriber_id)
