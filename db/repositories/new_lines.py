"""The INACTIVE subscriber row a number purchase makes for the line it buys, and its end when
that purchase does not complete.

A line belongs to one buyer's attempt. When the attempt ends unsold (payment failed, never paid,
paid too late) the line is retired: CLOSED, and its `msisdn` (unique) handed back, so the next
buyer of the number gets a fresh line and sees none of the earlier buyer's orders, payments,
notices or real name. The retired line keeps its id, so every foreign key and its history stay
sound; its orders and payments still name the number.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories.business_orders import lock_subscriber
from domain.accounts import SubscriberStatus
from domain.orders import OrderStatus

# a purchase still going on: waiting for its payment or its courier, or done
LIVE = (OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_ACTIVATION, OrderStatus.COMPLETED)


def retired_msisdn(line_id: int) -> str:
    """What a retired line holds instead of its number: unique (the row's id, at most 10 digits),
    as long as a number, and never one (numbers are all digits)."""
    return f"R{line_id:010d}"


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


async def retire(conn: BaseDBAsyncClient, subscriber_id: int) -> bool:
    """Retire an INACTIVE line whose purchase orders all ended unsold. Returns whether the line
    is out of a new buyer's way: retired now, or no longer an INACTIVE line of the number (gone,
    retired or sold meanwhile: look again). A line with no order yet (a concurrent request of
    the same hold is placing it) or with a live one stays. Under the subscriber's row lock."""
    line = await lock_subscriber(conn, subscriber_id)
    if line is None or line.status is not SubscriberStatus.INACTIVE:
        return True
    statuses = (
        await Order.filter(subscriber_id=subscriber_id)
        .using_db(conn)
        .values_list("status", flat=True)
    )
    if not statuses or any(status in LIVE for status in statuses):
        return False
    await (
        Subscriber.filter(id=subscriber_id)
        .using_db(conn)
        .update(
            status=SubscriberStatus.CLOSED,
            msisdn=retired_msisdn(subscriber_id),
            real_name=None,
            real_name_verified=False,
        )
    )
    return True
