"""Paying a flash-sale reservation through the ordering pipeline (order kind FLASH_SALE,
`resolvers.ordering.flash_purchases`), and the provider's callback for it: in time the order
completes and earns its points; after the units went back the money is refunded through the
provider (a `PaymentRefund` row, order REFUNDED with the reason), never a unit sold twice."""

from __future__ import annotations

import logging
from uuid import UUID, uuid4

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.flash import FlashReservation, FlashSale
from db.models.orders import Order
from db.models.payments import Payment, PaymentRefund
from db.repositories import flash_sales as repo
from db.repositories import promotions as promo_repo
from db.repositories.orders import check_key
from domain.errors import DomainError, fail
from domain.flash.model import PAID_AFTER_DEADLINE, ReservationStatus
from domain.money import yuan
from domain.orders import OrderStatus
from domain.payments import PaymentPurpose, PaymentStatus
from domain.ports import RefundRefused
from domain.pricing import Channel
from resolvers import cap_sweeper, points_earning
from resolvers.context import RequestContext, Services
from resolvers.flash.loading import settle
from resolvers.ordering.flash_purchases import (
    AlreadyPaid,
    FlashPayMethod,
    FlashPurchase,
    Late,
    deliver,
)
from resolvers.ordering.pipeline import place_order
from resolvers.paid_once import mark_failed_once, mark_paid_once

__all__ = ["FlashPayMethod", "callback", "flash_pay", "retry_refunds"]

# the notice of a refund, by what the payment paid for (a device's late payment is refunded here)
REFUND_NOTICES = {
    PaymentPurpose.FLASH_SALE: ("FLASH_REFUNDED", "秒杀订单"),
    PaymentPurpose.DEVICE_PURCHASE: ("DEVICE_REFUNDED", "购机订单"),
}
ALREADY_PAID = "ALREADY_PAID"
OUT_OF_STOCK = "OUT_OF_STOCK"
log = logging.getLogger(__name__)


def _expired() -> DomainError:
    return fail(
        "RESERVATION_EXPIRED", "Payment was due by then: the units went back.", "reservationId"
    )


async def flash_pay(
    ctx: RequestContext,
    subscriber_id: int,
    reservation_id: str,
    method: FlashPayMethod,
    idempotency_key: str,
) -> Order:
    key = check_key(idempotency_key)
    r = await repo.reservation(reservation_id)
    if r is None or r.subscriber_id != subscriber_id:  # type: ignore[attr-defined]
        raise fail("NOT_FOUND", "No such reservation.", "reservationId")
    sale = await FlashSale.get(id=r.sale_id)  # type: ignore[attr-defined]
    handler = FlashPurchase(ctx.services, r, sale, FlashPayMethod(method))
    if r.status is ReservationStatus.PAID and r.order_id:
        earlier = await Order.get(id=r.order_id)
        if earlier.idempotency_key != key:  # already paid: the paying order
            return earlier
    elif r.status is not ReservationStatus.HELD:
        order = await Order.get_or_none(subscriber_id=subscriber_id, idempotency_key=key)
        if order is not None:  # a replay of the request that made it
            return await place_order(ctx, subscriber_id, key, handler, Channel.APP)
        raise _expired()
    try:
        return await place_order(ctx, subscriber_id, key, handler, Channel.APP)
    except Late:
        await repo.give_back(r.id, ReservationStatus.EXPIRED)
        raise _expired() from None
    except AlreadyPaid:
        paid = await repo.reservation(r.id)
        return await Order.get(id=paid.order_id)  # type: ignore[union-attr]


# --- the provider's callback for a flash-sale payment -----------------------------------------


async def callback(
    services: Services, payment: Payment, txn: str, succeeded: bool
) -> tuple[int, dict]:
    """Called by `resolvers.payments.receive_callback` once the signature, nonce and amount
    are verified. Duplicates change nothing; a success after the deadline is refunded."""
    pid = str(payment.id)
    order = await Order.get(id=UUID(payment.reference or ""))
    if not succeeded:
        return await mark_failed_once(
            payment,
            lambda: Order.filter(id=order.id, status=OrderStatus.PENDING_PAYMENT).update(
                status=OrderStatus.FAILED
            ),
        )
    now = services.now()
    if (answered := await mark_paid_once(payment, txn, now)) is not None:
        return answered
    rid = order.detail.reservation_id  # type: ignore[attr-defined]
    r = await FlashReservation.get(id=UUID(rid))
    sale = await FlashSale.get(id=r.sale_id)  # type: ignore[attr-defined]
    sub = str(r.subscriber_id)  # type: ignore[attr-defined]
    state = await settle(services, sale, str(r.id), sub, "CONFIRM")
    subscriber = await Subscriber.get(id=r.subscriber_id)  # type: ignore[attr-defined]
    reason = None
    try:
        async with in_transaction() as conn:
            if state == "CONFIRMED" and await repo.mark_paid(conn, r.id, order.id):
                await deliver(conn, sale, subscriber.id, r.quantity)
                order.details = order.detail.replace(charged_fen=order.final_price_fen).to_json()
                order.status, order.effective_from = OrderStatus.COMPLETED, now
                await order.save(
                    using_db=conn, update_fields=["details", "status", "effective_from"]
                )
                await points_earning.earn_for_order(conn, order, now)
            else:
                fresh_r = await FlashReservation.get(id=r.id).using_db(conn)
                paid_before = fresh_r.status is ReservationStatus.PAID
                reason = ALREADY_PAID if paid_before else PAID_AFTER_DEADLINE
    except DomainError:  # the device sold out meanwhile: nothing was delivered
        reason = OUT_OF_STOCK
    if reason is None:
        await services.sms.send(subscriber.msisdn, "FLASH_PAID", f"{sale.name}购买成功。")
        return 200, {"ok": True, "result": "CONFIRMED", "paymentId": pid}
    if reason != ALREADY_PAID and state == "CONFIRMED":
        await settle(services, sale, str(r.id), sub, "RELEASE")  # the database gave it back
    await repo.give_back(r.id, ReservationStatus.EXPIRED)
    await refund(services, payment, reason, subscriber.msisdn)
    return 200, {"ok": True, "result": "REFUNDED", "reason": reason, "paymentId": pid}


async def refund(services: Services, payment: Payment, reason: str, msisdn: str | None) -> bool:
    """Give a paid flash-sale payment back through the provider, exactly once: the refund row
    (one per payment) is written first, then the provider is asked with its id (it is idempotent
    on it), then the payment and its order are REFUNDED. A provider that fails leaves the row
    REQUESTED for `retry_refunds`. True when the money is back."""
    now = services.now()
    try:
        row = await PaymentRefund.create(
            id=uuid4(), payment_id=payment.id, amount_fen=payment.payable_fen, reason=reason,
            created_at=now,
        )  # fmt: skip
    except IntegrityError:
        row = await PaymentRefund.get(payment_id=payment.id)
        if row.status != "REQUESTED":
            return row.status == "SUCCEEDED"
    provider = services.payments
    if provider is None:
        raise RuntimeError("no payment provider is configured")
    try:
        provider_id = await provider.refund(str(payment.id), str(row.id), row.amount_fen, reason)
    except RefundRefused as refused:
        # kept for an operator: the money is still with the provider
        await PaymentRefund.filter(id=row.id, status="REQUESTED").update(
            status="REFUSED", failure_code=refused.code[:40]
        )
        log.error("refund %s of payment %s refused: %s", row.id, payment.id, refused.code)
        return False
    except Exception:  # the provider is down: retried by the reaper
        log.exception("refund %s of payment %s failed; will retry", row.id, payment.id)
        return False
    async with in_transaction() as conn:
        moved = (
            await PaymentRefund.filter(id=row.id, status="REQUESTED")
            .using_db(conn)
            .update(
                status="SUCCEEDED",
                provider_refund_id=provider_id,
                settled_at=now,
                failure_code=None,
            )
        )
        if not moved:
            return True
        await (
            Payment.filter(id=payment.id)
            .using_db(conn)
            .update(status=PaymentStatus.REFUNDED, failure_reason=row.reason)
        )
        order = await Order.get(id=UUID(payment.reference or "")).using_db(conn)
        order.status = OrderStatus.REFUNDED
        order.details = order.detail.replace(status_reason=row.reason).to_json()
        await order.save(using_db=conn, update_fields=["status", "details"])
        # a campaign-priced order gives its campaign redemption back: it never took effect
        given_back = await promo_repo.release_orders(conn, [order.id])
    await cap_sweeper.release(services, given_back)
    if msisdn:
        kind, what = REFUND_NOTICES.get(payment.purpose, REFUND_NOTICES[PaymentPurpose.FLASH_SALE])
        await services.sms.send(
            msisdn, kind, f"您的{what}未能成交，{yuan(payment.payable_fen)}已原路退回。"
        )
    return True


async def retry_refunds(services: Services, limit: int = 100) -> int:
    """Refunds the provider did not answer: ask again with the same refund id."""
    done = 0
    for row in await PaymentRefund.filter(status="REQUESTED").limit(limit):
        payment = await Payment.get(id=row.payment_id)  # type: ignore[attr-defined]
        if await refund(services, payment, row.reason, payment.msisdn):
            done += 1
    return done
