"""The points mall: what an item is, whether a redemption may happen, and the fulfilment states.

A redemption of `quantity` units costs `quantity x pointsPrice` points and `quantity x
cashPriceFen` (points + cash items pay the cash through the payment provider). GOODS are shipped
(ORDERED -> SHIPPED -> DELIVERED, the tracking number set by an operator); codes (video
memberships, coupons), data packs and bill credit are delivered at once (COMPLETED). A redemption
may be cancelled before fulfilment (ORDERED goods not yet shipped); codes, data and credit once
delivered cannot be taken back. The cash part of a points + cash item is paid through the
payment provider: the redemption waits in PENDING_PAYMENT with its points, stock and limit held
(the points leave the balance by a REDEEM entry), is fulfilled when the payment settles, and
gives everything back (a REFUND entry to the same lots) when it fails or expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.calendar import in_window
from domain.errors import fail


class MallItemKind(StrEnum):
    GOODS = "GOODS"
    VIDEO_MEMBERSHIP = "VIDEO_MEMBERSHIP"
    COUPON = "COUPON"
    DATA_PACK = "DATA_PACK"
    BILL_CREDIT = "BILL_CREDIT"


class MallCategory(StrEnum):
    DIGITAL = "DIGITAL"  # 数码
    HOME = "HOME"  # 家居
    VIDEO = "VIDEO"  # 视频会员
    DATA = "DATA"  # 流量
    BILL = "BILL"  # 话费
    LIFESTYLE = "LIFESTYLE"  # 生活券


class RedemptionStatus(StrEnum):
    PENDING_PAYMENT = "PENDING_PAYMENT"  # the cash part is being paid through the provider
    ORDERED = "ORDERED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


CODE_KINDS = frozenset({MallItemKind.VIDEO_MEMBERSHIP, MallItemKind.COUPON})
CANCELLABLE = frozenset({RedemptionStatus.ORDERED})
NEXT_FULFILMENT = {
    RedemptionStatus.ORDERED: RedemptionStatus.SHIPPED,
    RedemptionStatus.SHIPPED: RedemptionStatus.DELIVERED,
}
MAX_QUANTITY = 10


@dataclass(frozen=True)
class ItemTerms:
    kind: MallItemKind
    points_price: int
    cash_price_fen: int
    per_subscriber_limit: int | None
    available_from: datetime | None
    available_until: datetime | None
    archived: bool


@dataclass(frozen=True)
class Cost:
    points: int
    cash_fen: int


def check_quantity(quantity: int) -> int:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise fail("INVALID_QUANTITY", f"Redeem 1 to {MAX_QUANTITY} at a time.", "quantity")
    return quantity


def cost_of(terms: ItemTerms, quantity: int, now: datetime) -> Cost:
    """May this item be redeemed now, and for how much? (Stock, limits and points are checked
    by the guarded writes that take them.)"""
    check_quantity(quantity)
    if terms.archived or not in_window(now, terms.available_from, terms.available_until):
        raise fail("NOT_AVAILABLE", "This item is not available in the mall now.", "itemId")
    if terms.per_subscriber_limit is not None and quantity > terms.per_subscriber_limit:
        raise limit_reached(terms.per_subscriber_limit)
    return Cost(terms.points_price * quantity, terms.cash_price_fen * quantity)


def limit_reached(limit: int) -> Exception:
    return fail("LIMIT_REACHED", f"You may redeem at most {limit} of this item.", "quantity")


def out_of_stock() -> Exception:
    return fail("OUT_OF_STOCK", "This item is out of stock.", "itemId")


def first_status(kind: MallItemKind) -> RedemptionStatus:
    return RedemptionStatus.ORDERED if kind is MallItemKind.GOODS else RedemptionStatus.COMPLETED


def check_cancellable(status: RedemptionStatus) -> None:
    if status not in CANCELLABLE:
        raise fail(
            "NOT_CANCELLABLE",
            "Only a redemption not yet shipped or delivered can be cancelled.",
            "id",
        )


def next_fulfilment(status: RedemptionStatus, target: RedemptionStatus) -> RedemptionStatus:
    if NEXT_FULFILMENT.get(status) is not target:
        raise fail(
            "INVALID_TRANSITION",
            f"A redemption that is {status.value} cannot become {target.value}.",
            "status",
        )
    return target


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    phone: str
    address: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "address": self.address}


def check_address(kind: MallItemKind, address: ShippingAddress | None) -> ShippingAddress | None:
    if kind is not MallItemKind.GOODS:
        return None
    if address is None or not all(
        (address.name.strip(), address.phone.strip(), address.address.strip())
    ):
        raise fail(
            "ADDRESS_REQUIRED",
            "Goods are shipped: give a name, phone and address.",
            "shippingAddress",
        )
    if len(address.address) > 200 or len(address.name) > 40 or len(address.phone) > 20:
        raise fail("ADDRESS_REQUIRED", "The shipping address is too long.", "shippingAddress")
    return ShippingAddress(address.name.strip(), address.phone.strip(), address.address.strip())


@dataclass(frozen=True)
class ItemDraft:
    """What marketing sends to create or update an item, checked."""

    name: str
    category: MallCategory
    kind: MallItemKind
    points_price: int
    cash_price_fen: int
    per_subscriber_limit: int | None
    description: str
    available_from: datetime | None
    available_until: datetime | None
    add_on_id: str | None
    credit_fen: int


def check_item(draft: ItemDraft) -> ItemDraft:
    def bad(field: str, message: str) -> Exception:
        return fail("INVALID_ITEM", message, field)

    if not 1 <= len(draft.name.strip()) <= 64:
        raise bad("name", "A name is 1 to 64 characters.")
    if not 0 <= draft.points_price <= 10_000_000:
        raise bad("pointsPrice", "Points price is 0 to 10,000,000.")
    if not 0 <= draft.cash_price_fen <= 10_000_000:
        raise bad("cashPriceFen", "Cash price is 0 to ¥100,000.")
    if draft.points_price == 0 and draft.cash_price_fen == 0:
        raise bad("pointsPrice", "An item costs points, cash or both.")
    if draft.per_subscriber_limit is not None and not 1 <= draft.per_subscriber_limit <= 1000:
        raise bad("perSubscriberLimit", "A per-subscriber limit is 1 to 1000.")
    if (
        draft.available_from
        and draft.available_until
        and draft.available_until <= draft.available_from
    ):
        raise bad("availableUntil", "availableUntil must be after availableFrom.")
    if draft.kind is MallItemKind.DATA_PACK and not draft.add_on_id:
        raise bad("addOnId", "A data-pack item names the add-on it grants.")
    if draft.kind is MallItemKind.BILL_CREDIT and not 1 <= draft.credit_fen <= 100_000:
        raise bad("creditFen", "Bill credit is ¥0.01 to ¥1,000.")
    if len(draft.description) > 2000:
        raise bad("description", "A description is at most 2000 characters.")
    return draft
