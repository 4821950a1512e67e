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


# The JSON columns are the bulk of an order row: read each only when a field selected needs it
# (GraphQL names of `Order`).
_NEED_DETAILS = {"summary", "chargedFen", "statusReason", "channel", "plan", "addOn", "deviceId",
                 "shippingAddress"}  # fmt: skip
_PLAIN_COLUMNS = ("id", "subscriber_id", "kind", "status", "idempotency_key", "list_price_fen",
                  "final_price_fen", "effective_from", "created_at", "updated_at")  # fmt: skip


def order_columns(fields: set[str]) -> tuple[str, ...]:
    """The columns of `Order` the selected fields read."""
    extra = ("details",) * bool(fields & _NEED_DETAILS) + ("pricing",) * ("pricing" in fields)
    return _PLAIN_COLUMNS + extra


async def orders_page(
    subscriber_id: int, first: int | None, after: str | None, columns: tuple[str, ...]
) -> Page[Order]:
    """Newest first, reading only `columns` (`order_columns`)."""
    query = business_orders.orders_of(subscriber_id).only(*columns)
    return await keyset_page(query, first, after, ("-created_at", "-id"))
