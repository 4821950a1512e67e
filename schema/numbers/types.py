"""GraphQL types of number selection (靓号专区)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from domain.numbers.patterns import PatternTag as DomainPatternTag
from schema.billing.types import PaymentMethodEnum
from schema.errors import UserError
from schema.orders.types import Order

PatternTag = strawberry.enum(
    DomainPatternTag,
    name="PatternTag",
    description="Pattern tags; each is defined on the tail of the number (see README, 选号).",
)


@strawberry.input
class NumberSearchInput:
    province: str | None = None
    city: str | None = None
    prefix: str | None = strawberry.field(default=None, description="The number starts with.")
    contains: str | None = strawberry.field(default=None, description="Digits anywhere.")
    ends_with: str | None = strawberry.field(default=None, description="The last digits.")
    tags: list[PatternTag] | None = strawberry.field(default=None, description="All of these.")
    exclude_digits: list[int] | None = strawberry.field(
        default=None, description="None of these digits among the last 8."
    )
    max_prestore_fen: int | None = None
    max_min_monthly_fen: int | None = None


@strawberry.type
class NumberRegion:
    province: str
    city: str


@strawberry.type
class PhoneNumber:
    msisdn: str
    region: NumberRegion
    tags: list[PatternTag]
    tier: int = strawberry.field(description="1 best … 6 plain, from the best tag.")
    prestore_fen: int
    min_monthly_fen: int
    contract_months: int
    status: str = strawberry.field(description="AVAILABLE, RESERVED or SOLD.")


@strawberry.type
class FacetCount:
    key: str
    count: int


@strawberry.type
class NumberSearchFacets:
    total: int
    tiers: list[FacetCount]
    tags: list[FacetCount]


@strawberry.type
class NumberReservation:
    id: UUID
    msisdn: str
    expires_at: datetime


@strawberry.type
class NumberReservePayload:
    reservation: NumberReservation | None = None
    user_errors: list[UserError]


@strawberry.type
class NumberReleasePayload:
    reservation: NumberReservation | None = None
    user_errors: list[UserError]


@strawberry.input
class RealNameInput:
    name: str
    id_number: str = strawberry.field(description="18-character resident ID (GB 11643-1999).")


@strawberry.type
class RealNameRegisterPayload:
    real_name_verified: bool | None = None
    id_number_masked: str | None = strawberry.field(
        default=None, description="e.g. 110***********123X"
    )
    user_errors: list[UserError]


@strawberry.input
class NumberPurchaseInput:
    reservation_id: str = strawberry.field(description="The caller's live numberReserve hold.")
    real_name: RealNameInput = strawberry.field(description="The buyer (who receives the SIM).")
    contact_msisdn: str = strawberry.field(
        description="Where the initial service password and delivery notices are sent."
    )
    shipping_address: str
    plan_id: str = strawberry.field(description="Monthly fee at least the number's minimum.")
    payment_method: PaymentMethodEnum = strawberry.field(description="ALIPAY, WECHAT, BANK_CARD.")


@strawberry.type
class NumberPurchasePayload:
    order: Order | None = strawberry.field(
        default=None, description="PENDING_PAYMENT until paid, then PENDING_ACTIVATION."
    )
    pay_url: str | None = strawberry.field(default=None, description="The provider's cashier.")
    user_errors: list[UserError]


@strawberry.type
class SimDeliveryConfirmPayload:
    order: Order | None = None
    user_errors: list[UserError]
