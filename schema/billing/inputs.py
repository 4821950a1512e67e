from __future__ import annotations

import strawberry

from schema.billing.types import PaymentMethodEnum
from schema.enums import ChannelEnum


@strawberry.input
class RechargeCreateInput:
    msisdn: str = strawberry.field(description="Any ACTIVE or SUSPENDED number, not only yours.")
    amount_fen: int | None = strawberry.field(
        default=None,
        description="100 to 500000 (¥1 to ¥5,000). Required except for CARD_PIN, where the "
        "card's face value is credited (if given, it must match).",
    )
    channel: ChannelEnum
    payment_method: PaymentMethodEnum
    idempotency_key: str
    card_pin: str | None = strawberry.field(default=None, description="CARD_PIN: the card's PIN.")
    client_token: str | None = strawberry.field(
        default=None,
        description="Anonymous callers: a random token (16-64 of A-Z a-z 0-9 _ -) the client "
        "makes once; their idempotencyKeys are scoped to it. Without one (and without a "
        "session) a request shares its key with no other request.",
    )


@strawberry.input
class AutoRechargeSetInput:
    threshold_fen: int = strawberry.field(description="Top up when the balance falls below it.")
    amount_fen: int
    payment_method: PaymentMethodEnum = strawberry.field(description="ALIPAY, WECHAT, BANK_CARD.")


@strawberry.input
class BillingCloseInput:
    cycle: str = strawberry.field(description="An ended cycle, e.g. 2026-10.")
    msisdn: str | None = strawberry.field(default=None, description="Only this number.")
