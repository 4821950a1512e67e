"""Order kind NUMBER_PURCHASE: a number bought online (选号入网), paid through the provider.

The order belongs to the new line (an INACTIVE subscriber row for the number). In its
transaction: the caller's live hold becomes the order's until the payment deadline (guarded
UPDATE), the per-ID quota is taken (guarded UPDATE: ID_LIMIT_REACHED under any concurrency), the
real name is recorded masked + HMAC, and a provider payment of prestore + first month is created.
After the commit the provider is told (pay URL). The callback (`resolvers.number_sales`) sells
the number, credits the prestore and sends the initial service password; the courier's
simDeliveryConfirm activates the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.catalog import Plan
from db.models.numbers import PhoneNumber
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories import business_orders, identities
from db.repositories import numbers as pool
from domain.errors import fail
from domain.numbers.purchase import first_payment
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import NumberPurchaseDetails
from domain.payments import PAYMENT_TTL_SECONDS, PaymentMethod, PaymentPurpose
from domain.pricing import Cart, CartLine, Channel, OfferingKind, list_quote
from resolvers.context import RequestContext
from resolvers.ordering.pipeline import Prepared

PRESTORE_OFFERING = "NUMBER_PRESTORE"
PAYER_SCOPE = "number-purchase"


@dataclass(frozen=True)
class Buyer:
    """Who buys, as checked before the order: the hold's holder and the real name given."""

    holder: str
    verified: bool  # a logged-in buyer's own real-name status; True for a new customer
    name: str
    id_masked: str
    id_digest: str
    id_last6_digest: str


class NumberPurchase:
    kind = OrderKind.NUMBER_PURCHASE

    def __init__(
        self,
        reservation_id: str,
        number: PhoneNumber,
        buyer: Buyer,
        plan: Plan,
        method: PaymentMethod,
        contact_msisdn: str,
        address: str,
        fingerprint: str,
        id_limit: int,
        region: str,
    ) -> None:
        self.reservation_id, self.number, self.msisdn = reservation_id, number, number.msisdn
        self.buyer, self.plan, self.plan_id, self.method = buyer, plan, plan.id, method
        self.contact, self.address = contact_msisdn, address
        self._fingerprint, self.id_limit, self.region = fingerprint, id_limit, region
        self.buyer_verified = buyer.verified  # place_order's real-name check asks the buyer

    def fingerprint(self) -> str:
        return self._fingerprint

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        number, plan = self.number, self.plan
        pay = first_payment(number.prestore_fen, number.min_monthly_fen, plan.monthly_fee_fen)
        lines = [
            CartLine(plan.id, OfferingKind.PLAN, f"{plan.name}首月", pay.first_month_fen, False)
        ]
        if pay.prestore_fen:
            lines.insert(
                0,
                CartLine(
                    PRESTORE_OFFERING, OfferingKind.RECHARGE, "预存话费", pay.prestore_fen, False
                ),
            )
        details = NumberPurchaseDetails(
            fingerprint="",
            summary=f"选号入网 {self.msisdn}",
            charged_fen=pay.total_fen,
            msisdn=self.msisdn,
            reservation_id=self.reservation_id,
            plan_id=plan.id,
            method=self.method.value,
            prestore_fen=pay.prestore_fen,
            first_month_fen=pay.first_month_fen,
            contract_months=number.contract_months,
            contact_msisdn=self.contact,
            shipping_address=self.address,
            id_masked=self.buyer.id_masked,
            id_digest=self.buyer.id_digest,
            id_last6_digest=self.buyer.id_last6_digest,
        )
        return Prepared(
            list_quote(Cart(tuple(lines)), now), details, OrderStatus.PENDING_PAYMENT, now
        )

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        until = now + timedelta(seconds=PAYMENT_TTL_SECONDS)
        if not await pool.hold_for_order(
            conn, self.msisdn, self.buyer.holder, order.id, until, now
        ):
            raise fail("RESERVATION_NOT_FOUND", "预占已失效或号码已被购买", "reservationId")
        await pool.end_reservation(conn, self.reservation_id, subscriber.id, now)
        limit = self.id_limit
        if not await identities.take_quota(conn, self.buyer.id_digest, limit):
            raise fail("ID_LIMIT_REACHED", f"同一证件最多登记{limit}个号码", "idNumber")
        await identities.replace(
            conn, subscriber.id, self.buyer.name, self.buyer.id_masked, self.buyer.id_digest, now
        )
        await (
            Subscriber.filter(id=subscriber.id)
            .using_db(conn)
            .update(
                real_name=self.buyer.name,
                real_name_verified=True,
                plan_id=self.plan_id,
                region=self.region,  # a reused line from before regions came from the number
            )
        )
        detail = order.detail
        payment_id = uuid4()
        await Payment.create(
            id=payment_id,
            subscriber_id=subscriber.id,
            msisdn=subscriber.msisdn,
            payer_scope=PAYER_SCOPE,
            idempotency_key=str(order.id),
            fingerprint=detail.fingerprint[:64],
            amount_fen=detail.prestore_fen,  # type: ignore[attr-defined]
            payable_fen=detail.charged_fen,
            method=self.method,
            channel=Channel(detail.channel or "WEB"),
            purpose=PaymentPurpose.NUMBER_PURCHASE,
            reference=str(order.id),
            created_at=now,
            using_db=conn,
        )
        return await business_orders.save_details(
            conn, order, detail.replace(payment_id=str(payment_id))
        )

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        detail = order.detail
        provider = ctx.services.payments
        if provider is None:
            raise RuntimeError("no payment provider is configured")
        url = await provider.start(
            detail.payment_id or "",  # type: ignore[attr-defined]
            detail.charged_fen,
            self.method.value,
            False,
        )
        await Payment.filter(id=detail.payment_id).update(pay_url=url)  # type: ignore[attr-defined]
        order.details = detail.replace(pay_url=url).to_json()
        await Order.filter(id=order.id).update(details=order.details)
        await ctx.services.sms.send(
            self.contact,
            "NUMBER_ORDERED",
            f"您已下单号码{self.msisdn}，请在{PAYMENT_TTL_SECONDS // 60}分钟内完成支付。",
        )
