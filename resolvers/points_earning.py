"""The hooks the money paths call, in their own transaction: an order paid in money earns the
points its quote promised (`pointsToEarn`, campaign multipliers included) once per order, and
cancelling or refunding it claws them back once. Recharges never call these (a prepayment)."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.orders import Order
from db.models.points import PointsEntry
from db.repositories import points as repo
from domain.points.earning import order_points
from resolvers.growth import grow_for_order


def order_source(order: Order) -> str:
    return f"ORDER:{order.id}"


async def earn_for_order(
    conn: BaseDBAsyncClient, order: Order, now: datetime
) -> PointsEntry | None:
    """Call when the order's money has settled (inside the transaction that settles it); the
    order also grows the subscriber's growth tree."""
    await grow_for_order(conn, order, now)
    points = order_points(
        int((order.pricing or {}).get("points_to_earn") or 0), order.detail.charged_fen
    )
    summary = order.detail.summary or order.kind.value
    return await repo.earn(
        conn,
        order.subscriber_id,  # type: ignore[attr-defined]
        order_source(order),
        points,
        now,
        note=summary,
    )


async def clawback_order(
    conn: BaseDBAsyncClient, order: Order, now: datetime
) -> PointsEntry | None:
    """Call when a paid order is cancelled or refunded; a second call takes nothing."""
    return await repo.clawback(
        conn,
        order.subscriber_id,  # type: ignore[attr-defined]
        order_source(order),
        now,
        note=f"订单取消：{order.detail.summary or order.kind.value}",
    )
