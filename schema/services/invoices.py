"""E-invoices (电子发票): issuing (a business order, once per source) and the operator's
red-letter reversal."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from domain.invoices import InvoiceSource, InvoiceStatus, TaxCategory
from domain.pricing import Channel
from domain.sessions import Capability
from resolvers import invoices
from resolvers.ordering import place_order
from schema.enums import ChannelEnum
from schema.errors import UserError, payload
from schema.orders.types import Order
from schema.permissions import OPERATOR, context, subscriber_session

InvoiceSourceEnum = strawberry.enum(InvoiceSource, name="InvoiceSource")
InvoiceStatusEnum = strawberry.enum(InvoiceStatus, name="InvoiceStatus")
TaxCategoryEnum = strawberry.enum(TaxCategory, name="TaxCategory")


@strawberry.type(description="One invoice line, tax-inclusive amount split into net and tax.")
class InvoiceLine:
    name: str
    category: TaxCategoryEnum
    rate_bp: int = strawberry.field(description="Tax rate in basis points (900 = 9%).")
    amount_fen: int
    net_fen: int
    tax_fen: int


@strawberry.type(description="An e-invoice (or a red-letter reversal, `red`).")
class Invoice:
    number: str
    source: InvoiceSourceEnum
    status: InvoiceStatusEnum
    red: bool
    title: str
    tax_id: str | None
    email: str | None
    amount_fen: int
    net_fen: int
    tax_fen: int
    issued_at: datetime

    @strawberry.field
    def lines(self) -> list[InvoiceLine]:
        return [
            InvoiceLine(
                name=x.name,
                category=x.category,
                rate_bp=x.rate_bp,
                amount_fen=x.amount_fen,
                net_fen=x.net_fen,
                tax_fen=x.tax_fen,
            )
            for x in invoices.lines_of(self)  # type: ignore[arg-type]
        ]

    @strawberry.field(description="The PDF (with the bearer token of the invoice's subscriber).")
    def pdf_url(self) -> str:
        return f"/invoices/{self.number}.pdf"


@strawberry.input
class InvoiceIssueInput:
    source: InvoiceSourceEnum
    source_id: str = strawberry.field(
        description="BILL: the cycle (2026-10); RECHARGE: the payment id."
    )
    title: str = strawberry.field(description="The buyer: a person's or a company's name.")
    tax_id: str | None = strawberry.field(default=None, description="A company's taxpayer id.")
    email: str | None = None
    idempotency_key: str


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None = None
    order: Order | None = None
    user_errors: list[UserError]


@strawberry.type
class InvoiceMutation:
    @strawberry.mutation(
        description="Issue the e-invoice of one of your bills or paid recharges; a second "
        "request for the same source returns the first invoice."
    )
    async def invoice_issue(
        self, info: Info, input: InvoiceIssueInput, channel: ChannelEnum = Channel.WEB
    ) -> InvoicePayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            found = await invoices.existing(session.subject_id, input.source, input.source_id)
            if found is not None:
                return {"invoice": found, "order": await invoices.order_of_invoice(found)}
            try:
                order = await place_order(
                    context(info),
                    session.subject_id,
                    input.idempotency_key,
                    invoices.InvoiceIssue(
                        input.source, input.source_id, input.title, input.tax_id, input.email
                    ),
                    channel,
                )
            except DomainError as error:
                raced = await invoices.existing(session.subject_id, input.source, input.source_id)
                if error.code != "ALREADY_EXISTS" or raced is None:
                    raise
                return {"invoice": raced, "order": await invoices.order_of_invoice(raced)}
            return {"invoice": await invoices.invoice_of_order(order), "order": order}

        return await payload(InvoicePayload, work)

    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="OPERATOR: red-letter reversal (红冲) of a refunded recharge's invoice.",
    )
    async def invoice_reverse(self, info: Info, number: str, reason: str) -> InvoicePayload:
        async def work():
            return {"invoice": await invoices.reverse(context(info), number, reason)}

        return await payload(InvoicePayload, work)
