"""The INACTIVE subscriber row a number purchase makes for the line it buys."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories.business_orders import lock_subscriber
from domain.accounts import SubscriberStatus


async def drop_unused(subscriber_id: int) -> bool:
    """Delete a line that no order belongs to. Under the subscriber's row lock (the one every
    order takes first), so a concurrent purchase of the same hold that already placed its order
    keeps the line; returns whether the row went."""
    async with in_transaction() as conn:
        line = await lock_subscriber(conn, subscriber_id)
        if line is None or line.status is not SubscriberStatus.INACTIVE:
            return False
        if await Order.filter(subscriber_id=subscriber_id).using_db(conn).exists():
            return False
        deleted = await Subscriber.filter(id=subscriber_id).using_db(conn).delete()
        return deleted == 1
