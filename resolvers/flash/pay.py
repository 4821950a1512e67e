"""Paying a flash-sale reservation: Redis CONFIRM decides against the deadline, inside the
transaction that takes the balance or after the provider's signed callback. A payment that comes
after the units went back is refunded (order REFUNDED, reason PAID_AFTER_DEADLINE), never a unit
sold twice."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from uuid import UUID, uuid4

from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.flash import FlashReservation, FlashSale
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories import balances, catalog
from db.repositories import flash_sales as repo
from db.repositories import payments as payments_repo
from db.repositories.business_orders import lock_subscriber
from db.repositories.orders import check_key, place_once, previous_order
from domain.errors import fail
from domain.flash.model import (
    PAID_AFTER_DEADLINE,
    ItemKind,
    ReservationStatus,
)
from domain.idempotency import internal_key
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import FlashSaleDetails
from domain.payments import PaymentMethod, PaymentPurpose, PaymentStatus
from domain.pricing import Channel
from resolvers.context import RequestContext, Services
from resolvers.flash.loading import settle

ALREADY_PAID = "ALREADY_PAID"


class FlashPayMethod(StrEnum):
    BALANCE = "BALANCE"
    ALIPAY = "ALIPAY"
    WECHAT = "WECHAT"
    BANK_CARD = "BANK_CARD"


class _Late(Exception):
    pass


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


async def _list_price(sale: FlashSale) -> int:
    if sale.item_kind is ItemKind.DEVICE:
        device = await repo.device_by_id(sale.item_id)
        return device.list_price_fen if device else sale.sale_price_fen
    if sale.item_kind is ItemKind.PLAN:
        plan = await catalog.plan_by_id(sale.item_id)
        return plan.monthly_fee_fen if plan else sale.sale_price_fen
    if sale.item_kind is ItemKind.PACK:
        add_on = await catalog.add_on_by_id(sale.item_id)
        return add_on.price_fen if add_on else sale.sale_price_fen
    return sale.sale_price_fen


async def _deliver(conn, sale: FlashSale, subscriber_id: int) -> None:
    """A phone bought is recorded on the subscriber: the 5G check of plan changes reads it."""
    if sale.item_kind is ItemKind.DEVICE:
        device = await repo.device_by_id(sale.item_id)
        if device is not None and not device.accessory:
            await (
                Subscriber.filter(id=subscriber_id)
                .using_db(conn)
                .update(device_id=device.id, device_5g=device.is_5g)
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
    fingerprint = _fingerprint("flash-pay", r.id, method)
    if (earlier := await previous_order(subscriber_id, key, fingerprint)) is not None:
        return earlier
    if r.status is ReservationStatus.PAID and r.order_id:
        return await Order.get(id=r.order_id)
    if r.status is not ReservationStatus.HELD:
        raise fail(
            "RESERVATION_EXPIRED", "Payment was due by then: the units went back.", "reservationId"
        )
    sale = await FlashSale.get(id=r.sale_id)  # type: ignore[attr-defined]
    amount = sale.sale_price_fen * r.quantity
    now = ctx.now()
    details = FlashSaleDetails(
        fingerprint=fingerprint, summary=f"秒杀 {sale.name}×{r.quantity}",
        flash_sale_id=sale.id, reservation_id=str(r.id), method=method.value,
    )  # fmt: skip
    list_fen = await _list_price(sale) * r.quantity
    if method is FlashPayMethod.BALANCE:
        return await _pay_from_balance(ctx, sale, r, key, fingerprint, details, amount, list_fen)
    payment_id = uuid4()

    async def place(conn) -> Order:
        order = await Order.create(
            subscriber_id=subscriber_id, kind=OrderKind.FLASH_SALE,
            status=OrderStatus.PENDING_PAYMENT, idempotency_key=key, list_price_fen=list_fen,
            final_price_fen=amount, details=details.replace(payment_id=str(payment_id)).to_json(),
            using_db=conn,
        )  # fmt: skip
        subscriber = await Subscriber.get(id=subscriber_id).using_db(conn)
        await Payment.create(
            id=payment_id, subscriber_id=subscriber_id, msisdn=subscriber.msisdn,
            payer_scope=f"sub:{subscriber_id}", idempotency_key=internal_key("flash", order.id),
            fingerprint=fingerprint, amount_fen=amount, payable_fen=amount,
            method=PaymentMethod(method.value), channel=Channel.APP,
            purpose=PaymentPurpose.FLASH_SALE, reference=str(order.id), using_db=conn,
        )  # fmt: skip
        await FlashReservation.filter(id=r.id).using_db(conn).update(order_id=order.id)
        return order

    order, created = await place_once(subscriber_id, key, fingerprint, place)
    if created:
        provider = ctx.services.payments
        if provider is None:
            raise RuntimeError("no payment provider is configured")
        url = await provider.start(str(payment_id), amount, method.value, False)
        order.details = order.detail.replace(pay_url=url).to_json()
        await Order.filter(id=order.id).update(details=order.details)
        await Payment.filter(id=payment_id).update(pay_url=url, created_at=now)
    return order


async def _pay_from_balance(ctx, sale, r, key, fingerprint, details, amount, list_fen) -> Order:
    subscriber_id = r.subscriber_id
    now = ctx.now()

    async def place(conn) -> Order:
        await lock_subscriber(conn, subscriber_id)
        order = await Order.create(
            subscriber_id=subscriber_id, kind=OrderKind.FLASH_SALE, status=OrderStatus.COMPLETED,
            idempotency_key=key, list_price_fen=list_fen, final_price_fen=amount,
            details=details.replace(charged_fen=amount).to_json(), effective_from=now,
            using_db=conn,
        )  # fmt: skip
        await balances.debit(conn, subscriber_id, amount, "FLASH_SALE", str(order.id), at=now)
        state = await settle(ctx.services, sale, str(r.id), str(subscriber_id), "CONFIRM")
        if state != "CONFIRMED":
            raise _Late
        if not await repo.mark_paid(conn, r.id, order.id):
            await settle(ctx.services, sale, str(r.id), str(subscriber_id), "RELEASE")
            raise _Late
        await _deliver(conn, sale, subscriber_id)
        return order

    try:
        order, created = await place_once(subscriber_id, key, fingerprint, place)
    except _Late:
        await repo.give_back(r.id, ReservationStatus.EXPIRED)
        raise fail(
            "RESERVATION_EXPIRED", "Payment was due by then: the units went back.", "reservationId"
        ) from None
    if created:
        subscriber = await Subscriber.get(id=subscriber_id)
        await ctx.services.sms.send(
            subscriber.msisdn, "FLASH_PAID", f"您已支付{yuan(amount)}，{sale.name}购买成功。"
        )
    return order


# --- the provider's callback for a flash-sale payment -----------------------------------------


async def callback(
    services: Services, payment: Payment, txn: str, succeeded: bool
) -> tuple[int, dict]:
    """Called by `resolvers.payments.receive_callback` once the signature, nonce and amount
    are verified. Duplicates change nothing; a success after the deadline is refunded."""
    pid = str(payment.id)
    order = await Order.get(id=UUID(payment.reference or ""))
    if not succeeded:
        if await payments_repo.settle_failed(pid, "PROVIDER"):
            await Order.filter(id=order.id, status=OrderStatus.PENDING_PAYMENT).update(
                status=OrderStatus.FAILED
            )
            return 200, {"ok": True, "result": "FAILED_RECORDED", "paymentId": pid}
        return 200, {"ok": True, "result": "ALREADY_PROCESSED", "paymentId": pid}
    moved = await Payment.filter(id=payment.id, status__in=payments_repo.SETTLEABLE).update(
        status=PaymentStatus.PAID, provider_txn_id=txn, paid_at=services.now()
    )
    if not moved:
        fresh = await Payment.get(id=payment.id)
        if fresh.provider_txn_id == txn:
            return 200, {"ok": True, "result": "ALREADY_PROCESSED", "paymentId": pid}
        return 409, {"ok": False, "error": "TXN_MISMATCH", "message": "Paid by another txn."}
    rid = order.detail.reservation_id  # type: ignore[attr-defined]
    r = await FlashReservation.get(id=UUID(rid))
    sale = await FlashSale.get(id=r.sale_id)  # type: ignore[attr-defined]
    sub = str(r.subscriber_id)  # type: ignore[attr-defined]
    state = await settle(services, sale, str(r.id), sub, "CONFIRM")
    subscriber = await Subscriber.get(id=r.subscriber_id)  # type: ignore[attr-defined]
    async with in_transaction() as conn:
        if state == "CONFIRMED" and await repo.mark_paid(conn, r.id, order.id):
            await (
                Order.filter(id=order.id)
                .using_db(conn)
                .update(status=OrderStatus.COMPLETED, effective_from=services.now())
            )
            await _deliver(conn, sale, subscriber.id)
            paid = True
        else:
            paid = False
    if paid:
        await services.sms.send(subscriber.msisdn, "FLASH_PAID", f"{sale.name}购买成功。")
        return 200, {"ok": True, "result": "CONFIRMED", "paymentId": pid}
    fresh_r = await FlashReservation.get(id=r.id)
    reason = ALREADY_PAID if fresh_r.status is ReservationStatus.PAID else PAID_AFTER_DEADLINE
    if reason == PAID_AFTER_DEADLINE and state == "CONFIRMED":
        await settle(services, sale, str(r.id), sub, "RELEASE")  # the database gave it back
    await repo.give_back(r.id, ReservationStatus.EXPIRED)
    await _refund(services, payment, order, reason, subscriber.msisdn)
    return 200, {"ok": True, "result": "REFUNDED", "reason": reason, "paymentId": pid}


async def _refund(services: Services, payment: Payment, order: Order, reason: str, msisdn: str):
    """The provider gives the money back (the simulator settles refunds at once)."""
    await Payment.filter(id=payment.id).update(status=PaymentStatus.REFUNDED, failure_reason=reason)
    await Order.filter(id=order.id).update(
        status=OrderStatus.REFUNDED, details=order.detail.replace(status_reason=reason).to_json()
    )
    await services.sms.send(
        msisdn,
        "FLASH_REFUNDED",
        f"您的秒杀订单支付晚于截止时间，{yuan(payment.payable_fen)}已原路退回。",
    )
