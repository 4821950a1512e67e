from __future__ import annotations

import strawberry

from schema.errors import UserError
from schema.orders.types import Order


@strawberry.type
class BundleOrderPayload:
    order: Order | None = None
    user_errors: list[UserError]


@strawberry.type
class PlanChangePayload:
    order: Order | None = None
    user_errors: list[UserError]


@strawberry.type
class PackPurchasePayload:
    order: Order | None = None
    user_errors: list[UserError]


@strawberry.type
class DevicePurchasePayload:
    order: Order | None = None
    pay_url: str | None = strawberry.field(
        default=None, description="The provider's cashier, when paying by ALIPAY, WECHAT or card."
    )
    payment_id: strawberry.ID | None = None
    user_errors: list[UserError]
