"""Reading orders: the pending plan change and the subscriber's order records (业务办理记录)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories import business_orders, plan_changes
from domain.orders import OrderKind
from resolvers.pagination import Page, keyset_page


@dataclass(frozen=True)
class PendingChange:
    plan_id: str
    effective_from: datetime
    kind: OrderKind
    order: Order


async def pending_change(subscriber: Subscriber, now: datetime) -> PendingChange | None:
    await plan_changes.apply_due_changes(now, subscriber.id)
    order = await plan_changes.pending_change(subscriber.id, now)
    if order is None:
        return None
    return PendingChange(
        plan_id=order.detail.plan_id,  # type: ignore[attr-defined]
        effective_from=order.effective_from,  # type: ignore[arg-type]
        kind=order.kind,
        order=order,
    )


async def orders_page(subscriber_id: int, first: int | None, after: str | None) -> Page[Order]:
    """Newest first."""
    return await keyset_page(
        business_orders.orders_of(subscriber_id), first, after, ("-created_at", "-id")
    )
