"""After numberPurchase: the provider's callback, the courier's hand-over, unpaid orders.

Paid in time: the number is SOLD, the prestore credited to the new line, an initial service
password set and sent by SMS to the contact number, the order PENDING_ACTIVATION. Paid after
the number went back to the pool (someone else took it): refunded. Failed or never paid: the
order ends (FAILED / EXPIRED), the per-ID quota and the real name go back, the line is retired
(`db.repositories.new_lines.retire`), the number returns to the pool (its hold lapses:
`db.repositories.numbers.reap`).

simDeliveryConfirm (OPERATOR): the courier types the last 6 characters of the receiver's ID;
only the buyer's open the hand-over, which activates the line. A mismatch is refused and logged.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories import balances, identities, new_lines
from db.repositories import numbers as pool
from domain.accounts import SubscriberStatus, check_new_password
from domain.errors import DomainError, fail
from domain.money import yuan
from domain.numbers.purchase import check_receiver
from domain.orders import OrderKind, OrderStatus
from domain.payments import PAYMENT_TTL_SECONDS, PaymentStatus
from resolvers.context import RequestContext, Services
from resolvers.paid_once import mark_failed_once, mark_paid_once

log = logging.getLogger("telehall.numbers")


class _Late(Exception):
    """Paid, but the order expired or its number went to someone else: refund."""


PRESTORE_REASON = "NUMBER_PRESTORE"


def _initial_password(msisdn: str) -> str:
    while True:
        candidate = f"{secrets.randbelow(10**6):06d}"
        try:
            check_new_password(candidate, msisdn, "servicePassword")
            return candidate
        except DomainError:
            continue


async def _undo(conn, order: Order, status: OrderStatus, reason: str, now: datetime) -> bool:
    """The order ends unsold: quota and real name back, and the line is retired (its number
    handed back before the number returns to the pool), so that the next buyer's line is a
    fresh one."""
    moved = (
        await Order.filter(id=order.id, status=order.status)
        .using_db(conn)
        .update(
            status=status,
            updated_at=now,
            details=order.detail.replace(status_reason=reason).to_json(),
        )
    )
    if not moved:
        return False
    # an EXPIRED order (now REFUNDED) gave its quota and real name back already
    if order.status is OrderStatus.PENDING_PAYMENT:
        await identities.give_back_quota(conn, order.detail.id_digest)  # type: ignore[attr-defined]
        await identities.forget(conn, order.subscriber_id)  # type: ignore[attr-defined]
    await new_lines.retire(conn, order.subscriber_id)  # type: ignore[attr-defined]
    return True


async def callback(
    services: Services, payment: Payment, txn: str, succeeded: bool
) -> tuple[int, dict]:
    """From `resolvers.payments.receive_callback` once signature, nonce and amount are verified."""
    pid, now = str(payment.id), services.now()
    order = await Order.get(id=UUID(payment.reference or ""))
    detail = order.detail
    if not succeeded:

        async def undo() -> None:
            async with in_transaction() as conn:
                if await _undo(conn, order, OrderStatus.FAILED, "PAYMENT_FAILED", now):
                    await pool.give_back(detail.msisdn, pool.order_holder(order.id), conn)  # type: ignore[attr-defined]

        return await mark_failed_once(payment, undo)
    if (answered := await mark_paid_once(payment, txn, now)) is not None:
        return answered
    password = _initial_password(detail.msisdn)  # type: ignore[attr-defined]
    password_hash = services.hasher.hash(password)
    try:
        async with in_transaction() as conn:
            moved = (
                await Order.filter(id=order.id, status=OrderStatus.PENDING_PAYMENT)
                .using_db(conn)
                .update(status=OrderStatus.PENDING_ACTIVATION, updated_at=now)
            )
            if not moved or not await pool.sell(conn, detail.msisdn, order.id):  # type: ignore[attr-defined]
                raise _Late
            line_id: int = order.subscriber_id  # type: ignore[attr-defined]
            prestore: int = detail.prestore_fen  # type: ignore[attr-defined]
            if prestore:
                await balances.credit(
                    conn, line_id, prestore, PRESTORE_REASON, str(order.id), at=now
                )
            await (
                Subscriber.filter(id=order.subscriber_id)
                .using_db(conn)
                .update(  # type: ignore[attr-defined]
                    service_password_hash=password_hash, on_initial_password=True
                )
            )
        sold = True
    except _Late:
        sold = False
        order = await Order.get(id=order.id)  # EXPIRED by the reaper, or still PENDING_PAYMENT
        async with in_transaction() as conn:
            await _undo(conn, order, OrderStatus.REFUNDED, "PAID_AFTER_DEADLINE", now)
            await pool.give_back(detail.msisdn, pool.order_holder(order.id), conn)  # type: ignore[attr-defined]
            await (
                Payment.filter(id=payment.id)
                .using_db(conn)
                .update(status=PaymentStatus.REFUNDED, failure_reason="PAID_AFTER_DEADLINE")
            )
    contact = detail.contact_msisdn  # type: ignore[attr-defined]
    if not sold:
        await services.sms.send(
            contact,
            "NUMBER_REFUNDED",
            f"号码{detail.msisdn}的支付晚于截止时间，号码已释放，{yuan(payment.payable_fen)}已原路退回。",  # type: ignore[attr-defined]
        )
        return 200, {"ok": True, "result": "REFUNDED", "paymentId": pid}
    await services.sms.send(
        contact,
        "NUMBER_PAID",
        f"您已成功购买号码{detail.msisdn}，初始服务密码{password}，号卡将由快递送达，"  # type: ignore[attr-defined]
        "签收时请出示购买人本人身份证，激活后请尽快修改密码。",
    )
    return 200, {"ok": True, "result": "PAID", "paymentId": pid}


async def expire_unpaid(services: Services, limit: int = 500, line_id: int | None = None) -> int:
    """NUMBER_PURCHASE orders left unpaid past the payment window end EXPIRED (quota back, line
    retired); their numbers' holds have lapsed, so the pool reaper returns them. `line_id`: only
    that line's (a new buyer of the number got there before the reaper)."""
    now = services.now()
    cutoff = now - timedelta(seconds=PAYMENT_TTL_SECONDS)
    unpaid = Order.filter(
        kind=OrderKind.NUMBER_PURCHASE, status=OrderStatus.PENDING_PAYMENT, created_at__lte=cutoff
    )
    if line_id is not None:
        unpaid = unpaid.filter(subscriber_id=line_id)
    ended = 0
    for order in await unpaid.limit(limit):
        async with in_transaction() as conn:
            ended += await _undo(conn, order, OrderStatus.EXPIRED, "UNPAID", now)
    return ended


async def confirm_delivery(
    ctx: RequestContext, staff_id: int, order_id: str, id_last6: str
) -> Order:
    """simDeliveryConfirm: the receiver shows the buyer's ID; the line goes ACTIVE."""
    try:
        oid = UUID(order_id)
    except ValueError:
        raise fail("NOT_FOUND", "订单不存在", "orderId") from None
    order = await Order.get_or_none(id=oid, kind=OrderKind.NUMBER_PURCHASE)
    if order is None:
        raise fail("NOT_FOUND", "订单不存在", "orderId")
    if order.status not in (OrderStatus.PENDING_ACTIVATION, OrderStatus.COMPLETED):
        raise fail("NOT_AWAITING_DELIVERY", "该订单未支付或已结束，不能交付", "orderId")
    detail = order.detail
    try:
        check_receiver(id_last6, detail.id_last6_digest, ctx.settings.id_number_secret)  # type: ignore[attr-defined]
    except DomainError:
        # never the digits typed: which order, which courier, when
        log.warning(
            "SIM delivery refused: receiver ID mismatch order=%s staff=%s", order.id, staff_id
        )
        raise
    if order.status is OrderStatus.COMPLETED:
        return order  # delivered already: the same confirmation again changes nothing
    now = ctx.now()
    async with in_transaction() as conn:
        moved = (
            await Order.filter(id=order.id, status=OrderStatus.PENDING_ACTIVATION)
            .using_db(conn)
            .update(status=OrderStatus.COMPLETED, effective_from=now, updated_at=now)
        )
        if moved:
            await (
                Subscriber.filter(id=order.subscriber_id, status=SubscriberStatus.INACTIVE)  # type: ignore[attr-defined]
                .using_db(conn)
                .update(status=SubscriberStatus.ACTIVE, joined_at=now)
            )
    order = await Order.get(id=order.id)
    if moved:
        await ctx.services.sms.send(
            detail.contact_msisdn,  # type: ignore[attr-defined]
            "NUMBER_ACTIVATED",
            f"您的号码{detail.msisdn}已签收并激活，欢迎使用。",  # type: ignore[attr-defined]
        )
    return order
