"""The cash part of a points + cash redemption, paid through the payment provider.

While the payment is open the redemption is PENDING_PAYMENT with its points, stock and
per-subscriber count held. The provider's verified callback (`resolvers.payments.callback`
routes POINTS_MALL payments here) settles it: a success fulfils the redemption and completes
its order, once; a failure, or the payment window passing (`expire_unpaid`, a job), gives
everything back once (a REFUND entry returns the points to the lots they came from). A success
that arrives after the redemption was given back is refunded to the payer, never fulfilled."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.models.payments import Payment
from db.models.points import MallItem, Redemption
from db.repositories import mall
from db.repositories import points as points_repo
from db.repositories.business_orders import lock_subscriber
from domain.calendar import as_utc
from domain.money import yuan
from domain.orders import OrderStatus
from domain.payments import PaymentStatus
from domain.points.mall import RedemptionStatus, first_status
from resolvers.context import Services
from resolvers.mall_delivery import deliver
from resolvers.paid_once import mark_failed_once, mark_paid_once

WAITING = {RedemptionStatus.PENDING_PAYMENT}


def redeem_source(order_id: object) -> str:
    return f"REDEEM:{order_id}"


async def give_back(
    services: Services, redemption_id: UUID, order_status: OrderStatus, now: datetime
) -> bool:
    """An unpaid redemption ends: points, stock and count go back, once. True if this call did."""
    async with in_transaction() as conn:
        found = await Redemption.get_or_none(id=redemption_id).using_db(conn)
        if found is None:
            return False
        subscriber_id = found.subscriber_id  # type: ignore[attr-defined]
        await lock_subscriber(conn, subscriber_id)
        if not await mall.move_status(conn, found.id, WAITING, RedemptionStatus.CANCELLED):
            return False
        item_id = found.item_id  # type: ignore[attr-defined]
        await mall.return_limit(conn, item_id, subscriber_id, found.quantity)
        await points_repo.refund(
            conn, subscriber_id, redeem_source(found.id), now, note="支付未完成"
        )
        await mall.return_stock(conn, item_id, found.quantity)
        await (
            Order.filter(id=found.id, status=OrderStatus.PENDING_PAYMENT)
            .using_db(conn)
            .update(status=order_status, updated_at=now)
        )
    subscriber = await Subscriber.get(id=subscriber_id)
    await services.sms.send(
        subscriber.msisdn,
        "POINTS_REDEMPTION_UNPAID",
        f"您的积分兑换未完成支付，{found.points_spent}积分已退回。",
    )
    return True


async def _fulfil(services: Services, redemption_id: UUID, now: datetime) -> bool:
    async with in_transaction() as conn:
        found = await Redemption.get_or_none(id=redemption_id).using_db(conn)
        if found is None:
            return False
        subscriber_id = found.subscriber_id  # type: ignore[attr-defined]
        await lock_subscriber(conn, subscriber_id)
        item = await MallItem.get(id=found.item_id).using_db(conn)  # type: ignore[attr-defined]
        target = first_status(item.kind)
        if not await mall.move_status(conn, found.id, WAITING, target):
            return False
        codes = await deliver(conn, item, subscriber_id, found.id, found.quantity, now)
        if codes:
            await Redemption.filter(id=found.id).using_db(conn).update(codes=codes)
        await (
            Order.filter(id=found.id, status=OrderStatus.PENDING_PAYMENT)
            .using_db(conn)
            .update(status=OrderStatus.COMPLETED, effective_from=now, updated_at=now)
        )
    subscriber = await Subscriber.get(id=subscriber_id)
    text = f"，兑换码：{'、'.join(codes)}" if codes else ""
    await services.sms.send(
        subscriber.msisdn,
        "POINTS_REDEEMED",
        f"您已使用{found.points_spent}积分和{yuan(found.cash_fen)}兑换{item.name}"
        f"×{found.quantity}{text}。",
    )
    return True


async def refund_payment(services: Services, payment_id: str, reason: str) -> bool:
    """The provider gives a paid cash part back (the simulator settles refunds at once)."""
    return bool(
        await Payment.filter(id=payment_id, status=PaymentStatus.PAID).update(
            status=PaymentStatus.REFUNDED, failure_reason=reason[:64]
        )
    )


async def callback(
    services: Services, payment: Payment, txn: str, succeeded: bool
) -> tuple[int, dict]:
    """Called once the signature, nonce and amount are verified; duplicates change nothing."""
    pid = str(payment.id)
    rid = UUID(payment.reference or "")
    now = services.now()
    if not succeeded:
        return await mark_failed_once(
            payment, lambda: give_back(services, rid, OrderStatus.FAILED, now)
        )
    if (answered := await mark_paid_once(payment, txn, now)) is not None:
        return answered
    if await _fulfil(services, rid, now):
        return 200, {"ok": True, "result": "CONFIRMED", "paymentId": pid}
    # Paid after the redemption was given back (the window passed): the money goes back.
    await refund_payment(services, pid, "PAID_AFTER_DEADLINE")
    await Order.filter(id=rid).update(status=OrderStatus.REFUNDED, updated_at=now)
    await services.sms.send(
        payment.msisdn,
        "POINTS_PAYMENT_REFUNDED",
        f"您的积分兑换支付晚于截止时间，{yuan(payment.payable_fen)}已原路退回。",
    )
    return 200, {
        "ok": True,
        "result": "REFUNDED",
        "reason": "PAID_AFTER_DEADLINE",
        "paymentId": pid,
    }


async def expire_unpaid(services: Services, now: datetime, window: timedelta) -> int:
    """Redemptions whose payment window passed: the payment EXPIRED, everything given back.
    Safe to repeat (a redemption is given back once)."""
    cutoff = as_utc(now) - window
    due = await Redemption.filter(
        status=RedemptionStatus.PENDING_PAYMENT, created_at__lt=cutoff
    ).values_list("id", "payment_id")
    done = 0
    for rid, payment_id in due:
        if payment_id:
            await Payment.filter(id=payment_id, status=PaymentStatus.CREATED).update(
                status=PaymentStatus.EXPIRED
            )
        done += await give_back(services, rid, OrderStatus.EXPIRED, now)
    return done
