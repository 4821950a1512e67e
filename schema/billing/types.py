from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.accounts import mask_msisdn
from domain.billing import BillItemKind, BillStatus
from domain.payments import PaymentMethod, PaymentStatus, PaymentTrigger
from domain.sessions import Capability
from resolvers import billing, payments
from schema.enums import ChannelEnum
from schema.pagination import Connection, connection_of, query
from schema.permissions import context, subscriber_session
from schema.selection import selects

BillStatusEnum = strawberry.enum(BillStatus, name="BillStatus")
BillItemKindEnum = strawberry.enum(BillItemKind, name="BillItemKind")
PaymentMethodEnum = strawberry.enum(PaymentMethod, name="PaymentMethod")
PaymentStatusEnum = strawberry.enum(PaymentStatus, name="PaymentStatus")
PaymentTriggerEnum = strawberry.enum(PaymentTrigger, name="PaymentTrigger")


@strawberry.type
class BillItem:
    kind: BillItemKindEnum
    name: str
    amount_fen: int = strawberry.field(description="Negative for a discount.")
    member_msisdn: str | None = strawberry.field(
        default=None,
        description="On a shared plan main's bill: the member whose usage this line is "
        "(the main pays it); null for the bill's own number.",
    )


@strawberry.type(description="One shared-plan member's usage on the main number's bill.")
class BillMemberShare:
    msisdn: str
    total_fen: int = strawberry.field(description="The sum of this member's items.")
    items: list[BillItem] = strawberry.field(description="Also in Bill.items.")


@strawberry.type(
    description="A monthly bill. OPEN: the current cycle's real-time charges. PENDING: ended, "
    "not yet issued (出账中, days 1–2). ISSUED: final; totalFen is the sum of the items."
)
class Bill:
    cycle: str = strawberry.field(description="YYYY-MM, Asia/Shanghai calendar month.")
    status: BillStatusEnum
    period_start: datetime
    period_end: datetime
    total_fen: int | None = strawberry.field(description="Null while PENDING.")
    items: list[BillItem]
    issued_at: datetime | None
    plan_name: str | None
    balance_after_fen: int | None = strawberry.field(
        description="Balance right after the run charged the monthly fee."
    )
    pdf_url: str | None = strawberry.field(description="The e-bill PDF (ISSUED only).")
    member_breakdown: list[BillMemberShare] = strawberry.field(
        description="A shared plan main's bill: each member's usage that the main pays, by "
        "member (empty otherwise). The member's own bill does not show it again."
    )


@strawberry.type(description="A recharge payment.")
class Payment:
    amount_fen: int = strawberry.field(description="Credited to the balance.")
    payable_fen: int = strawberry.field(description="Charged to the payer (after promotions).")
    status: PaymentStatusEnum
    method: PaymentMethodEnum
    channel: ChannelEnum
    trigger: PaymentTriggerEnum
    pay_url: str | None = strawberry.field(description="Where the payer pays (the cashier).")
    provider_txn_id: str | None
    created_at: datetime
    paid_at: datetime | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.id))  # type: ignore[attr-defined]

    @strawberry.field(description="The recharged number, masked like 186****0001.")
    def msisdn(self) -> str:
        return mask_msisdn(self.msisdn)  # type: ignore[attr-defined]


@strawberry.type
class AutoRecharge:
    enabled: bool
    threshold_fen: int
    amount_fen: int
    payment_method: PaymentMethodEnum
    in_flight: bool = strawberry.field(description="A top-up is under way.")


def auto_view(row) -> AutoRecharge | None:
    if row is None:
        return None
    return AutoRecharge(
        enabled=row.enabled,
        threshold_fen=row.threshold_fen,
        amount_fen=row.amount_fen,
        payment_method=row.method,
        in_flight=row.in_flight_payment_id is not None,
    )


@strawberry.type
class SubscriberBillingFields:
    """`me` fields for bills and recharges; the Subscriber type inherits them."""

    @strawberry.field(
        description="The last `last` ended cycles (at most 12), newest first: ISSUED, or "
        "PENDING until the billing run."
    )
    async def bills(self, info: Info, last: int = 6) -> list[Bill]:
        subscriber_session(info, Capability.READ_BASIC)
        items = selects(info, "items")
        return await query(lambda: billing.bills(self, last, context(info).now(), items))  # type: ignore[arg-type,return-value]

    @strawberry.field(
        description="One cycle's bill; the current cycle gives its OPEN real-time charges."
    )
    async def bill(self, info: Info, cycle: str) -> Bill | None:
        subscriber_session(info, Capability.READ_BASIC)
        return await query(lambda: billing.bill(self, cycle, context(info).now()))  # type: ignore[arg-type,return-value]

    @strawberry.field(description="Credited recharges of the last 24 months, newest first.")
    async def recharges(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Payment]:
        subscriber_session(info, Capability.READ_BASIC)
        return await connection_of(
            lambda: payments.recharges(self, first, after, context(info).now())
        )  # type: ignore[arg-type]

    @strawberry.field(description="Auto-recharge settings; null if never set.")
    async def auto_recharge(self, info: Info) -> AutoRecharge | None:
        subscriber_session(info, Capability.READ_BASIC)
        return auto_view(await payments.auto_recharge_of(self.id))  # type: ignore[attr-defined]
