"""Auto-recharge: the settings, and the one top-up started when the balance falls below the
threshold."""

from __future__ import annotations

import uuid
from datetime import datetime

from db.models.accounts import Subscriber
from db.models.payments import AutoRecharge, Payment
from db.repositories import payments as repo
from domain.accounts import SubscriberStatus
from domain.errors import fail
from domain.idempotency import internal_key
from domain.money import yuan
from domain.payments import (
    AUTO_DEBIT_METHODS,
    PaymentMethod,
    PaymentTrigger,
    check_auto_threshold,
    check_recharge_amount,
)
from domain.pricing import Channel
from resolvers import campaign_caps
from resolvers.context import RequestContext
from resolvers.payments.shared import fingerprint_of, priced_payment, provider


async def auto_recharge_set(
    ctx: RequestContext,
    subscriber_id: int,
    threshold_fen: int,
    amount_fen: int,
    method: PaymentMethod,
) -> AutoRecharge:
    check_auto_threshold(threshold_fen)
    check_recharge_amount(amount_fen)
    if method not in AUTO_DEBIT_METHODS:
        raise fail(
            "INVALID_METHOD", "Auto-recharge debits ALIPAY, WECHAT or BANK_CARD.", "paymentMethod"
        )
    row = await repo.save_auto_settings(subscriber_id, threshold_fen, amount_fen, method)
    subscriber = await Subscriber.get(id=subscriber_id)
    await ctx.services.sms.send(
        subscriber.msisdn,
        "AUTO_RECHARGE_SET",
        f"您已开通自动充值：余额低于{yuan(threshold_fen)}时自动充值{yuan(amount_fen)}。",
    )
    return row


async def auto_recharge_disable(ctx: RequestContext, subscriber_id: int) -> AutoRecharge | None:
    row = await repo.disable_auto(subscriber_id)
    if row is not None:
        subscriber = await Subscriber.get(id=subscriber_id)
        await ctx.services.sms.send(subscriber.msisdn, "AUTO_RECHARGE_OFF", "您已关闭自动充值。")
    return row


async def auto_recharge_of(subscriber_id: int) -> AutoRecharge | None:
    return await repo.auto_settings(subscriber_id)


async def maybe_auto_recharge(
    ctx: RequestContext, subscriber_id: int, balance_fen: int, now: datetime | None = None
) -> Payment | None:
    """Below the threshold, start one auto-debit top-up unless one is already in flight."""
    settings = await repo.auto_settings(subscriber_id)
    if settings is None or not settings.enabled or balance_fen >= settings.threshold_fen:
        return None
    now = now or ctx.now()
    payment_id = uuid.uuid4()
    if not await repo.take_in_flight(subscriber_id, payment_id, now):
        return None  # one top-up is already under way
    subscriber = await Subscriber.get(id=subscriber_id)
    if subscriber.status is SubscriberStatus.CLOSED:
        await repo.release_in_flight(payment_id)
        return None
    amount = settings.amount_fen

    async def create(payable: int) -> tuple[Payment, bool]:
        payment = await repo.create(
            subscriber=subscriber,
            payer_scope="auto",
            key=internal_key("auto", payment_id),
            fingerprint=fingerprint_of("auto", payment_id),
            amount_fen=amount,
            payable_fen=payable,
            method=settings.method,
            channel=Channel.APP,
            trigger=PaymentTrigger.AUTO,
            payment_id=payment_id,
            now=now,
        )
        return payment, True

    try:
        payment, _ = await priced_payment(ctx, subscriber, amount, Channel.APP, payment_id, create)
    except BaseException:
        await repo.release_in_flight(payment_id)
        raise
    try:
        url = await provider(ctx.services).start(
            str(payment.id), payment.payable_fen, settings.method.value, True
        )
    except Exception:
        await repo.settle_failed(str(payment.id), "PROVIDER_UNAVAILABLE")
        await campaign_caps.payment_closed(ctx.services, payment.id, ctx.now())
        raise
    await Payment.filter(id=payment.id).update(pay_url=url)
    return await Payment.get(id=payment.id)
