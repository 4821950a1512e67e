"""A device paid through the payment provider (order kind DEVICE_PURCHASE, `paymentMethod`
ALIPAY, WECHAT or BANK_CARD). The order waits PENDING_PAYMENT with the device's stock already
taken, held for the payer; the provider's verified callback (`resolvers.payments.callback`
routes DEVICE_PURCHASE payments here) settles it: a success completes the order once (a phone
recorded on the subscriber, points earned now that the money settled); a failure, or the window
passing (`expire_unpaid`, the `device-payments-expire` job), gives the stock and any campaign
redemption back once. The order's status is the one guard both sides move, so a success that
arrives after the stock went back is refunded through the provider, never shipped."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from db.models.flash import Device
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories import flash_sales as flash_repo
from db.repositories import promotions as promo_repo
from domain.calendar import as_utc
from domain.flash.model import PAID_AFTER_DEADLINE
from domain.money import yuan
from domain.orders import OrderStatus
from domain.payments import PaymentPurpose, PaymentStatus
from resolvers import cap_sweeper, points_earning
from resolvers.context import Services
from resolvers.flash.pay import refund
from resolvers.paid_once import mark_failed_once, mark_paid_once


async def give_back(services: Services, order_id: UUID, status: OrderStatus, now: datetime) -> bool:
    """An unpaid device order ends (FAILED or EXPIRED): its stock and any campaign redemption
    go back, once. True if this call did it."""
    async with in_transaction() as conn:
        moved = await (
            Order.filter(id=order_id, status=OrderStatus.PENDING_PAYMENT)
            .using_db(conn)
            .update(status=status, updated_at=now)
        )
        if not moved:
            return False
        order = await Order.get(id=order_id).using_db(conn)
        detail = order.detail
        await (
            Device.filter(id=detail.device_id)
            .using_db(conn)
            .update(stock=F("stock") + detail.quantity)
        )
        given_back = await promo_repo.release_orders(conn, [order.id])
    await cap_sweeper.release(services, given_back)
    payment = await Payment.get_or_none(id=detail.payment_id) if detail.payment_id else None
    if payment is not None:
        await services.sms.send(
            payment.msisdn, "ORDER_DEVICE_UNPAID", f"您的{detail.summary}订单未完成支付，已取消。"
        )
    return True


async def _complete(order_id: UUID, now: datetime) -> Order | None:
    """The money settled in time: the order COMPLETED once, the phone recorded, points earned."""
    async with in_transaction() as conn:
        order = await Order.get(id=order_id).using_db(conn)
        details = order.detail.replace(charged_fen=order.final_price_fen).to_json()
        moved = await (
            Order.filter(id=order_id, status=OrderStatus.PENDING_PAYMENT)
            .using_db(conn)
            .update(
                status=OrderStatus.COMPLETED, effective_from=now, updated_at=now, details=details
            )
        )
        if not moved:
            return None
        order = await Order.get(id=order_id).using_db(conn)
        device = await flash_repo.device_by_id(order.detail.device_id)
        if device is not None and not device.accessory:
            await flash_repo.record_device(conn, order.subscriber_id, device)  # type: ignore[attr-defined]
        await points_earning.earn_for_order(conn, order, now)
        return order


async def callback(
    services: Services, payment: Payment, txn: str, succeeded: bool
) -> tuple[int, dict]:
    """Called once the signature, nonce and amount are verified; duplicates change nothing."""
    pid = str(payment.id)
    order_id = UUID(payment.reference or "")
    now = services.now()
    if not succeeded:
        return await mark_failed_once(
            payment, lambda: give_back(services, order_id, OrderStatus.FAILED, now)
        )
    if (answered := await mark_paid_once(payment, txn, now)) is not None:
        return answered
    order = await _complete(order_id, now)
    if order is not None:
        await services.sms.send(
            payment.msisdn,
            "ORDER_DEVICE_PURCHASE",
            f"您已成功{order.detail.summary}，已支付{yuan(order.final_price_fen)}，我们将尽快发货。",
        )
        return 200, {"ok": True, "result": "CONFIRMED", "paymentId": pid}
    # paid after the order was given back (the window passed): the money goes back
    paid = await Payment.get(id=payment.id)
    await refund(services, paid, PAID_AFTER_DEADLINE, paid.msisdn)
    return 200, {"ok": True, "result": "REFUNDED", "reason": PAID_AFTER_DEADLINE, "paymentId": pid}


async def expire_unpaid(services: Services, now: datetime, window: timedelta) -> int:
    """Device orders whose payment window passed: the payment EXPIRED, stock given back. Safe
    to repeat (an order is given back once)."""
    cutoff = as_utc(now) - window
    due = await Payment.filter(
        purpose=PaymentPurpose.DEVICE_PURCHASE, status=PaymentStatus.CREATED, created_at__lt=cutoff
    ).limit(500)
    done = 0
    for payment in due:
        # the order first: a crash between the two leaves the payment to be found again
        done += await give_back(services, UUID(payment.reference or ""), OrderStatus.EXPIRED, now)
        await Payment.filter(id=payment.id, status=PaymentStatus.CREATED).update(
            status=PaymentStatus.EXPIRED
        )
    return done
