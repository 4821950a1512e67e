"""Names of campaign-cap reservations: `order:<id>` for an order, `payment:<id>` for a recharge
payment, with `:late` appended when a committed order re-takes its units after its hold lapsed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.promotions.schedule import micros


def ms(instant: datetime) -> int:
    return micros(instant) // 1000


def reservation_id(order_id: UUID | str) -> str:
    return f"order:{order_id}"


def payment_ref(payment_id: UUID | str) -> str:
    return f"payment:{payment_id}"


def late_ref(rid: str) -> str:
    return f"{rid}:late"


def ref_of(rid: str) -> tuple[str, str | None]:
    """("order" | "payment", id) of a reservation id (a `:late` suffix is ignored)."""
    kind, _, rest = rid.partition(":")
    return kind, (rest.split(":", 1)[0] or None)


def order_of(rid: str) -> str | None:
    kind, ident = ref_of(rid)
    return ident if kind == "order" else None
