"""What an order record says it was, typed: one definition that writers and readers share.

Stored as `Order.details` JSON with a version `v`. Every kind has the common part (`summary` shown
as `Order.summary`, `charged_fen` as `Order.chargedFen`, the request `fingerprint` for idempotency,
the `channel`, the campaign-cap `cap_reservation`); a kind registers a subclass with its own fields.
A record written before versions existed (no `v`) reads as version 1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from domain.orders import OrderKind

VERSION = 1


@dataclass(frozen=True)
class OrderDetails:
    fingerprint: str
    summary: str = ""
    charged_fen: int = 0
    channel: str | None = None
    cap_reservation: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # fields of kinds with no class here

    kinds: ClassVar[dict[OrderKind, type[OrderDetails]]] = {}

    def to_json(self) -> dict[str, Any]:
        data = {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "extra"
        }
        return {"v": VERSION, **self.extra, **data}

    def replace(self, **changes: Any) -> OrderDetails:
        return dataclasses.replace(self, **changes)

    @classmethod
    def register(cls, *kinds: OrderKind):
        def add(sub: type[OrderDetails]) -> type[OrderDetails]:
            for kind in kinds:
                cls.kinds[kind] = sub
            return sub

        return add


def details_from_json(kind: OrderKind, data: dict[str, Any] | None) -> OrderDetails:
    data = dict(data or {})
    version = data.pop("v", 1)
    if version > VERSION:
        raise ValueError(f"order details version {version} is newer than this code ({VERSION})")
    cls = OrderDetails.kinds.get(kind, OrderDetails)
    names = {f.name for f in dataclasses.fields(cls)} - {"extra"}
    known = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in names}
    known.setdefault("fingerprint", "")
    return cls(**known, extra={k: v for k, v in data.items() if k not in names})


@OrderDetails.register(OrderKind.BUNDLE, OrderKind.PLAN_CHANGE)
@dataclass(frozen=True)
class PlanChangeDetails(OrderDetails):
    plan_id: str = ""
    from_plan_id: str | None = None
    pack_ids: tuple[str, ...] = ()  # a combo's packs (BUNDLE)
    superseded: int = 0  # how many pending changes this one replaced

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "pack_ids": list(self.pack_ids)}


@OrderDetails.register(OrderKind.PACK_PURCHASE)
@dataclass(frozen=True)
class PackPurchaseDetails(OrderDetails):
    add_on_id: str = ""
    bucket_ids: tuple[int, ...] = ()
    valid_until: str | None = None  # ISO 8601

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "bucket_ids": list(self.bucket_ids)}


@OrderDetails.register(OrderKind.RECHARGE)
@dataclass(frozen=True)
class RechargeDetails(OrderDetails):
    payment_id: str = ""
    method: str = ""
    trigger: str = ""


@OrderDetails.register(OrderKind.FLASH_SALE)
@dataclass(frozen=True)
class FlashSaleDetails(OrderDetails):
    flash_sale_id: str = ""
    reservation_id: str = ""
    method: str = ""  # BALANCE, ALIPAY, WECHAT, BANK_CARD
    payment_id: str | None = None  # paid through the provider
    pay_url: str | None = None
    status_reason: str | None = None  # REFUNDED: PAID_AFTER_DEADLINE or ALREADY_PAID


@OrderDetails.register(OrderKind.DEVICE_PURCHASE)
@dataclass(frozen=True)
class DevicePurchaseDetails(OrderDetails):
    device_id: str = ""
    quantity: int = 1
    shipping_address: str = ""
    method: str = "BALANCE"  # BALANCE, ALIPAY, WECHAT, BANK_CARD
    payment_id: str | None = None  # paid through the provider
    pay_url: str | None = None
    status_reason: str | None = None  # REFUNDED: PAID_AFTER_DEADLINE


@OrderDetails.register(OrderKind.NUMBER_PURCHASE)
@dataclass(frozen=True)
class NumberPurchaseDetails(OrderDetails):
    """A number bought online: the ID only masked and as keyed digests, never in clear."""

    msisdn: str = ""
    reservation_id: str = ""
    plan_id: str = ""
    method: str = ""  # ALIPAY, WECHAT, BANK_CARD (through the provider)
    payment_id: str | None = None
    pay_url: str | None = None
    prestore_fen: int = 0
    first_month_fen: int = 0
    contract_months: int = 0
    contact_msisdn: str = ""  # where the initial password and delivery notices go
    shipping_address: str = ""
    id_masked: str = ""
    id_digest: str = ""  # HMAC of the whole ID: the per-ID quota given back if unpaid
    id_last6_digest: str = ""  # HMAC of the last 6: the courier's check at delivery
    status_reason: str | None = None  # REFUNDED / EXPIRED / FAILED: why


@OrderDetails.register(OrderKind.POINTS_REDEMPTION)
@dataclass(frozen=True)
class RedemptionDetails(OrderDetails):
    """A points-mall redemption: the Redemption row shares the order's id. `charged_fen` is the
    cash part, paid through the payment provider (`payment_id`), never from the balance."""

    item_id: str = ""
    quantity: int = 1
    points: int = 0
    method: str | None = None  # ALIPAY, WECHAT, BANK_CARD when there is a cash part
    payment_id: str | None = None
    pay_url: str | None = None


@OrderDetails.register(OrderKind.CALL_SETTINGS, OrderKind.INTERNATIONAL_SERVICES, OrderKind.WLAN)
@dataclass(frozen=True)
class ServiceChangeDetails(OrderDetails):
    """A switch of an account service: which one, to what, and any deposit held or returned."""

    service: str = ""  # FORWARDING_BUSY, CALL_WAITING, ROAMING, LONG_DISTANCE, WLAN, WLAN_PASSWORD
    value: str = ""  # the target number, ON or OFF, RESET
    deposit_held_fen: int = 0
    deposit_returned_fen: int = 0


@OrderDetails.register(OrderKind.CREDIT_LIMIT)
@dataclass(frozen=True)
class CreditLimitDetails(OrderDetails):
    from_fen: int = 0
    to_fen: int = 0


@OrderDetails.register(OrderKind.INVOICE)
@dataclass(frozen=True)
class InvoiceDetails(OrderDetails):
    source: str = ""
    source_id: str = ""
    invoice_number: str = ""


@OrderDetails.register(
    OrderKind.SHARED_MEMBER_ADD,
    OrderKind.SHARED_MEMBER_REMOVE,
    OrderKind.SHARED_MAIN_CHANGE,
    OrderKind.SHARED_GROUP_DISSOLVE,
)
@dataclass(frozen=True)
class SharedPlanDetails(OrderDetails):
    member_msisdn: str = ""  # the member added or removed, the new main, or the dissolved main
