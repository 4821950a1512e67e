"""E-invoices: issuing one for a bill or a recharge of the caller's own (order kind INVOICE, once
per source), reading them, and the operator's red-letter reversal (红冲) of a refunded recharge."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.invoices import Invoice
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories import billing as bills_repo
from db.repositories import business_orders, email_outbox
from db.repositories import invoices as repo
from domain.calendar import local
from domain.errors import DomainError, fail
from domain.invoices import (
    InvoiceLine,
    InvoiceSource,
    InvoiceStatus,
    TaxCategory,
    TaxRates,
    category_of,
    check_request,
    invoice_email,
    invoice_lines,
    red_letter,
)
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import InvoiceDetails
from domain.payments import PaymentPurpose, PaymentStatus
from domain.pricing import Cart, Channel, list_quote
from resolvers.billing import check_cycle
from resolvers.context import RequestContext
from resolvers.ordering.pipeline import Prepared


def tax_rates(ctx: RequestContext) -> TaxRates:
    return TaxRates(ctx.settings.invoice_tax_basic_bp, ctx.settings.invoice_tax_value_added_bp)


async def source_lines(
    subscriber_id: int, source: InvoiceSource, source_ref: str, rates: TaxRates
) -> tuple[str, tuple[InvoiceLine, ...]]:
    """(the stored source id, the lines) of the caller's own bill or paid recharge; anything
    else, someone else's included, is NOT_FOUND (never telling whose it is)."""
    if source is InvoiceSource.BILL:
        cycle = check_cycle(source_ref)
        bill = await bills_repo.bill_of(subscriber_id, cycle)
        if bill is None:
            raise fail("NOT_FOUND", f"You have no issued bill for {cycle}.", "sourceId")
        items = (await bills_repo.items_of([bill.id]))[bill.id]
        return str(bill.id), invoice_lines(
            [(i.name, category_of(i.kind), i.amount_fen) for i in items], rates
        )
    payment = await Payment.get_or_none(id=source_ref) if _is_uuid(source_ref) else None
    if (
        payment is None
        or payment.subscriber_id != subscriber_id  # type: ignore[attr-defined]
        or payment.purpose is not PaymentPurpose.RECHARGE
        or payment.status is not PaymentStatus.PAID
    ):
        raise fail("NOT_FOUND", "You have no paid recharge with this id.", "sourceId")
    return str(payment.id), invoice_lines(
        [("预付费话费充值", TaxCategory.BASIC, payment.payable_fen)], rates
    )


def _is_uuid(text: str) -> bool:
    from uuid import UUID

    try:
        UUID(text)
    except (ValueError, TypeError):
        return False
    return True


async def existing(subscriber_id: int, source: InvoiceSource, source_ref: str) -> Invoice | None:
    """The invoice already issued for this source of the caller's, if any."""
    if source is InvoiceSource.BILL:
        try:
            bill = await bills_repo.bill_of(subscriber_id, check_cycle(source_ref))
        except DomainError:  # a malformed cycle: the issue path reports it
            return None
        ref = str(bill.id) if bill else None
    else:
        ref = source_ref if _is_uuid(source_ref) else None
    if ref is None:
        return None
    found = await repo.of_source(source, ref)
    return found if found and found.subscriber_id == subscriber_id else None  # type: ignore[attr-defined]


class InvoiceIssue:
    kind = OrderKind.INVOICE

    def __init__(
        self,
        source: InvoiceSource,
        source_id: str,
        title: str,
        tax_id: str | None,
        email: str | None,
    ) -> None:
        self.source, self.source_ref = source, (source_id or "").strip()
        self.title, self.tax_id, self.email = title, tax_id, email
        self.invoice: Invoice | None = None

    def fingerprint(self) -> str:
        return f"INVOICE:{self.source.value}:{self.source_ref}:{self.title}:{self.tax_id or ''}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        self.request = check_request(self.title, self.tax_id, self.email)
        self.stored_ref, self.lines = await source_lines(
            subscriber.id, self.source, self.source_ref, tax_rates(ctx)
        )
        self.year = local(now).year
        await repo.ensure_year(self.year)
        amount = sum(x.amount_fen for x in self.lines)
        what = "账单" if self.source is InvoiceSource.BILL else "充值"
        details = InvoiceDetails(
            fingerprint="",
            summary=f"开具{what}电子发票 {yuan(amount)}",
            source=self.source.value,
            source_id=self.source_ref,
        )
        return Prepared(list_quote(Cart(()), now), details, OrderStatus.COMPLETED, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        # Under the subscriber's lock (the pipeline's): a concurrent request for the same
        # source issued first, so answer with that one (the mutation looks it up).
        if (
            await Invoice.filter(source=self.source, source_id=self.stored_ref, red=False)
            .using_db(conn)
            .exists()
        ):
            raise fail("ALREADY_EXISTS", "This source has its invoice already.", "sourceId")
        number = await repo.next_number(conn, self.year)
        self.invoice = await repo.create(
            conn,
            number=number,
            subscriber_id=subscriber.id,
            source=self.source,
            source_id=self.stored_ref,
            title=self.request.title,
            tax_id=self.request.tax_id,
            email=self.request.email,
            lines=self.lines,
            at=now,
        )
        if self.request.email:  # queued with the invoice: both commit, or neither
            subject, body = invoice_email(number, self.invoice.amount_fen, self.request.title)
            await email_outbox.queue(
                conn,
                source=f"INVOICE:{number}",
                kind="INVOICE",
                to=self.request.email,
                subject=subject,
                body=body,
                at=now,
                invoice_id=self.invoice.id,
            )
        return await business_orders.save_details(
            conn, order, order.detail.replace(invoice_number=number)
        )

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        assert self.invoice is not None
        await ctx.services.sms.send(
            subscriber.msisdn,
            "ORDER_INVOICE",
            f"您的电子发票（号码{self.invoice.number}，金额{yuan(self.invoice.amount_fen)}）已开具，"
            + ("已发送至您的邮箱，也" if self.invoice.email else "")
            + "可在网上营业厅下载。",
        )


async def invoice_of_order(order: Order) -> Invoice | None:
    number = getattr(order.detail, "invoice_number", "")
    return await repo.by_number(number) if number else None


async def invoice_for_pdf(subscriber_id: int, number: str) -> Invoice:
    found = await repo.by_number(number)
    if found is None or found.subscriber_id != subscriber_id:  # type: ignore[attr-defined]
        raise fail("NOT_FOUND", "You have no invoice with this number.", "number")
    return found


async def reverse(ctx: RequestContext, number: str, reason: str) -> Invoice:
    """OPERATOR: the red-letter invoice of a refunded recharge's invoice (once)."""
    reason = (reason or "").strip()
    if not reason:
        raise fail("REASON_REQUIRED", "A red-letter reversal needs a reason.", "reason")
    now = ctx.now()
    original = await repo.by_number(number)
    if original is None or original.red:
        raise fail("NOT_FOUND", "No issued invoice with this number.", "number")
    if original.status is InvoiceStatus.REVERSED:
        raise fail("INVOICE_NOT_REVERSIBLE", "This invoice is already reversed.", "number")
    if original.source is not InvoiceSource.RECHARGE:
        raise fail(
            "INVOICE_NOT_REVERSIBLE", "Only a refunded recharge's invoice is reversed.", "number"
        )
    payment = await Payment.get_or_none(id=original.source_id)
    if payment is None or payment.status is not PaymentStatus.REFUNDED:
        raise fail("INVOICE_NOT_REVERSIBLE", "The recharge was not refunded.", "number")
    year = local(now).year
    await repo.ensure_year(year)
    lines = red_letter(tuple(_line(x) for x in original.lines))
    async with in_transaction() as conn:
        if (
            not await Invoice.filter(id=original.id, status=InvoiceStatus.ISSUED)
            .using_db(conn)
            .update(status=InvoiceStatus.REVERSED)
        ):
            raise fail("INVOICE_NOT_REVERSIBLE", "This invoice is already reversed.", "number")
        red = await repo.create(
            conn,
            number=await repo.next_number(conn, year),
            subscriber_id=original.subscriber_id,  # type: ignore[attr-defined]
            source=original.source,
            source_id=original.source_id,
            title=original.title,
            tax_id=original.tax_id,
            email=original.email,
            lines=lines,
            at=now,
            reverses=original,
        )
    subscriber = await Subscriber.get(id=original.subscriber_id)  # type: ignore[attr-defined]
    await ctx.services.sms.send(
        subscriber.msisdn,
        "INVOICE_REVERSED",
        f"您的电子发票{original.number}因充值退款已红冲，红字发票号码{red.number}。",
    )
    return red


def _line(data: dict) -> InvoiceLine:
    return InvoiceLine(
        data["name"],
        TaxCategory(data["category"]),
        data["amount_fen"],
        data["rate_bp"],
        data["net_fen"],
        data["tax_fen"],
    )


def lines_of(invoice: Invoice) -> list[InvoiceLine]:
    return [_line(x) for x in invoice.lines]


async def order_for_form(subscriber_id: int, order_id: str) -> tuple[Subscriber, Order]:
    """The acceptance form needs an order of the caller's own."""
    order = await Order.get_or_none(id=order_id) if _is_uuid(order_id) else None
    subscriber = await Subscriber.get_or_none(id=subscriber_id)
    if order is None or subscriber is None or order.subscriber_id != subscriber_id:  # type: ignore[attr-defined]
        raise fail("NOT_FOUND", "You have no order with this id.", "orderId")
    return subscriber, order


async def invoice_and_owner(subscriber_id: int, number: str) -> tuple[Invoice, Subscriber]:
    invoice = await invoice_for_pdf(subscriber_id, number)
    return invoice, await Subscriber.get(id=subscriber_id)


async def order_of_invoice(invoice: Invoice) -> Order | None:
    """The INVOICE order that issued it (a replay answers with it too)."""
    rows = await Order.filter(
        subscriber_id=invoice.subscriber_id,  # type: ignore[attr-defined]
        kind=OrderKind.INVOICE,
    )
    return next((o for o in rows if o.detail.invoice_number == invoice.number), None)  # type: ignore[attr-defined]
