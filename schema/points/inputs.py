from __future__ import annotations

from datetime import datetime

import strawberry

from domain.points.mall import ShippingAddress
from schema.billing.types import PaymentMethodEnum
from schema.points.types import MallCategoryEnum, MallItemKindEnum


@strawberry.input
class ShippingAddressInput:
    name: str
    phone: str
    address: str

    def domain(self) -> ShippingAddress:
        return ShippingAddress(self.name, self.phone, self.address)


@strawberry.input
class PointsRedeemInput:
    item_id: strawberry.ID
    quantity: int = 1
    idempotency_key: str
    shipping_address: ShippingAddressInput | None = strawberry.field(
        default=None, description="Needed for GOODS."
    )
    payment_method: PaymentMethodEnum | None = strawberry.field(
        default=None,
        description="Points + cash items: how the cash part is paid (ALIPAY, WECHAT, BANK_CARD) "
        "through the payment provider; the redemption waits in PENDING_PAYMENT until it settles.",
    )


@strawberry.input
class PointsAdjustInput:
    msisdn: str
    points: int = strawberry.field(description="Signed: positive adds, negative takes.")
    reason: str
    idempotency_key: str


@strawberry.input
class MallItemCreateInput:
    name: str
    category: MallCategoryEnum
    kind: MallItemKindEnum
    points_price: int
    cash_price_fen: int = 0
    stock: int = strawberry.field(default=0, description="Ignored for code items: upload codes.")
    per_subscriber_limit: int | None = None
    description: str = ""
    available_from: datetime | None = None
    available_until: datetime | None = None
    add_on_id: str | None = strawberry.field(default=None, description="DATA_PACK: the add-on.")
    credit_fen: int = strawberry.field(default=0, description="BILL_CREDIT: credited per unit.")


@strawberry.input(description="Only the fields sent change.")
class MallItemUpdateInput:
    id: strawberry.ID
    version: int | None = strawberry.field(
        default=None, description="When given, VERSION_CONFLICT if someone changed it first."
    )
    name: str | None = strawberry.UNSET
    category: MallCategoryEnum | None = strawberry.UNSET
    points_price: int | None = strawberry.UNSET
    cash_price_fen: int | None = strawberry.UNSET
    per_subscriber_limit: int | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    available_from: datetime | None = strawberry.UNSET
    available_until: datetime | None = strawberry.UNSET
    credit_fen: int | None = strawberry.UNSET
    add_stock: int = strawberry.field(default=0, description="Stock to add (negative removes).")

    def changes(self) -> dict:
        names = [
            "name",
            "category",
            "points_price",
            "cash_price_fen",
            "per_subscriber_limit",
            "description",
            "available_from",
            "available_until",
            "credit_fen",
        ]
        out = {}
        for name in names:
            value = getattr(self, name)
            if value is strawberry.UNSET:
                continue
            if value is None and name not in (
                "per_subscriber_limit",
                "available_from",
                "available_until",
            ):
                continue
            out[name] = value
        return out
