"""Scheduled plan and combo changes. A change is an Order (kind BUNDLE or PLAN_CHANGE) with status
SCHEDULED and `effective_from` (00:00 Shanghai on the 1st of next month); `details["plan_id"]` is
the plan or combo it switches to. A newer change marks the older one SUPERSEDED.

`apply_due_changes(now)` switches every subscriber whose change is due and marks the order
COMPLETED. It runs from `telehall changes apply` and lazily wherever a subscriber's current plan
is read, so nothing depends on a job firing exactly at midnight. Each order is applied in its own
transaction behind a guarded status update, so concurrent callers apply it exactly once.

A shared plan's main number leaving the SHARED plan ends its group in the same transaction
(`shared_groups.dissolve_if_main_left`); a main change of that group due at the same instant is
applied first, so the outcome does not depend on which job runs first.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories import shared_groups
from db.repositories.business_orders import lock_subscriber
from domain.accounts import SubscriberStatus
from domain.calendar import as_utc
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import details_from_json

CHANGE_KINDS = (OrderKind.BUNDLE, OrderKind.PLAN_CHANGE)
BATCH = 500


def _due(now: datetime, subscriber_id: int | None):
    query = Order.filter(
        kind__in=CHANGE_KINDS, status=OrderStatus.SCHEDULED, effective_from__lte=now
    )
    return query.filter(subscriber_id=subscriber_id) if subscriber_id is not None else query


async def apply_due_changes(now: datetime, subscriber_id: int | None = None) -> int:
    """Apply the changes due at `now` (all subscribers, or one); returns how many switched."""
    now = as_utc(now)  # SQLite compares instants as text: always query in UTC
    applied = 0
    while True:
        due = (
            await _due(now, subscriber_id)
            .order_by("effective_from", "created_at")
            .limit(BATCH)
            .values("id", "subscriber_id", "details")
        )
        for row in due:
            await shared_groups.apply_due_main_change_of(row["subscriber_id"], now)
            applied += await _apply(row["id"], row["subscriber_id"], row["details"], now)
        if len(due) < BATCH:
            return applied


async def _apply(order_id: object, subscriber_id: int, details: dict, now: datetime) -> int:
    async with in_transaction() as conn:
        subscriber = await lock_subscriber(conn, subscriber_id)
        closed = subscriber is None or subscriber.status is SubscriberStatus.CLOSED
        status = OrderStatus.CANCELLED if closed else OrderStatus.COMPLETED
        taken = (
            await Order.filter(id=order_id, status=OrderStatus.SCHEDULED)
            .using_db(conn)
            .update(status=status, updated_at=now)
        )
        if not taken or closed:
            return 0
        plan_id = details_from_json(OrderKind.PLAN_CHANGE, details).plan_id  # type: ignore[attr-defined]
        await Subscriber.filter(id=subscriber_id).using_db(conn).update(plan_id=plan_id)
        await shared_groups.dissolve_if_main_left(conn, subscriber, plan_id, now)
        return 1


def _other_pending(subscriber_id: int, keep: object):
    return Order.filter(
        subscriber_id=subscriber_id, kind__in=CHANGE_KINDS, status=OrderStatus.SCHEDULED
    ).exclude(id=keep)


async def scheduled_ids(conn: BaseDBAsyncClient, subscriber_id: int, keep: object) -> list[object]:
    """Inside an order's transaction: the scheduled changes `supersede_pending` will replace
    (every one but `keep`, the order being placed)."""
    return await _other_pending(subscriber_id, keep).using_db(conn).values_list("id", flat=True)


async def supersede_pending(
    conn: BaseDBAsyncClient, subscriber_id: int, now: datetime, keep: object
) -> int:
    """Inside an order's transaction: the scheduled changes `keep` replaces are SUPERSEDED."""
    now = as_utc(now)
    return (
        await _other_pending(subscriber_id, keep)
        .using_db(conn)
        .update(status=OrderStatus.SUPERSEDED, updated_at=now)
    )


async def pending_change(subscriber_id: int, now: datetime) -> Order | None:
    """The scheduled change still to come, if any (the newest, should a race have left two)."""
    now = as_utc(now)
    return (
        await Order.filter(
            subscriber_id=subscriber_id,
            kind__in=CHANGE_KINDS,
            status=OrderStatus.SCHEDULED,
            effective_from__gt=now,
        )
        .order_by("-created_at")
        .first()
    )
