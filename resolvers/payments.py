"""Recharge: payments for any ACTIVE or SUSPENDED number, the provider's signed callback that
credits exactly once, prepaid cards, auto-recharge and the recharge history."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from db.models.accounts import Subscriber
from db.models.payments import AutoRecharge, Payment
from db.repositories import payments as repo
from db.repositories.orders import check_key
from domain.accounts import SubscriberStatus, check_msisdn
from domain.errors import fail
from domain.money import yuan
from domain.payments import (
    AUTO_DEBIT_METHODS,
    CALLBACK_WINDOW_SECONDS,
    CallbackOutcome,
    CallbackRejected,
    PaymentMethod,
    PaymentStatus,
    PaymentTrigger,
    check_auto_threshold,
    check_recharge_amount,
    hash_card_pin,
    normalize_card_pin,
    verify_callback,
)
from domain.pricing import Channel, Quote
from domain.usage import RECHARGE_MONTHS, retention_start
from resolvers import campaign_caps
from resolvers.context import RequestContext, Services
from resolvers.pagination import Page, keyset_page
from resolvers.pricing import price_recharge

CARD_ATTEMPTS_PER_HOUR = 10


def payer_scope(ctx: RequestContext) -> str:
    session = ctx.session
    if session is None:
        return "anon"
    return f"{'sub' if session.is_subscriber else 'staff'}:{session.subject_id}"


async def recharge_price(
    ctx: RequestContext, amount_fen: int, channel: Channel, subscriber: Subscriber
) -> int:
    """What the payer is charged for `amount_fen` of balance: the promotions engine's price of a
    one-line RECHARGE cart for the number recharged (e.g. 10 % off in the app)."""
    return (await price_recharge(ctx, amount_fen, channel, subscriber)).final_price_fen


async def _priced_payment(
    ctx: RequestContext,
    subscriber: Subscriber,
    amount: int,
    channel: Channel,
    payment_id: uuid.UUID,
    create: Callable[[int], Awaitable[tuple[Payment, bool]]],
) -> tuple[Payment, bool]:
    """Price the recharge, hold its campaign caps for the payment's life, create the payment
    (`create(payable)` -> (payment, created)); the hold goes back if nothing was created."""
    now = ctx.now()

    async def reprice() -> Quote:
        return await price_recharge(ctx, amount, channel, subscriber, now=now)

    quote, rid = await campaign_caps.hold_or_reprice(
        ctx.services,
        campaign_caps.payment_ref(payment_id),
        subscriber.id,
        await reprice(),
        now,
        reprice,
        campaign_caps.PAYMENT_HOLD,
    )
    try:
        payment, created = await create(quote.final_price_fen)
    except BaseException:
        await campaign_caps.cancel(ctx.services, rid, now)
        raise
    if not created:
        await campaign_caps.cancel(ctx.services, rid, now)
        return payment, False
    await campaign_caps.payment_held(payment_id, subscriber.id, quote, rid)
    return payment, True


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


async def _recipient(msisdn: str) -> Subscriber:
    msisdn = check_msisdn(msisdn)
    subscriber = await Subscriber.get_or_none(msisdn=msisdn)
    if subscriber is None:
        raise fail("NOT_FOUND", "This number is not one of ours.", "msisdn")
    if subscriber.status is SubscriberStatus.CLOSED:
        raise fail(
            "ACCOUNT_CLOSED", "This number has been closed; it cannot be recharged.", "msisdn"
        )
    return subscriber


def _same_request(payment: Payment, fingerprint: str) -> Payment:
    if payment.fingerprint != fingerprint:
        raise fail(
            "IDEMPOTENCY_KEY_REUSED",
            "This idempotencyKey was already used for a different request.",
            "idempotencyKey",
        )
    return payment


async def recharge_create(
    ctx: RequestContext,
    msisdn: str,
    amount_fen: int | None,
    channel: Channel,
    method: PaymentMethod,
    idempotency_key: str,
    card_pin: str | None = None,
) -> Payment:
    key = check_key(idempotency_key)
    subscriber = await _recipient(msisdn)
    scope = payer_scope(ctx)
    if method is PaymentMethod.CARD_PIN:
        return await _redeem_card(ctx, subscriber, amount_fen, channel, key, scope, card_pin)
    amount = check_recharge_amount(amount_fen)
    fingerprint = _fingerprint(subscriber.msisdn, amount, channel, method)
    if (existing := await repo.by_key(scope, key)) is not None:
        return _same_request(existing, fingerprint)
    await repo.expire_stale(ctx.now())
    payment_id = uuid.uuid4()

    async def create(payable: int) -> tuple[Payment, bool]:
        return await _first_with_key(
            scope,
            key,
            fingerprint,
            repo.create(
                subscriber=subscriber,
                payer_scope=scope,
                key=key,
                fingerprint=fingerprint,
                amount_fen=amount,
                payable_fen=payable,
                method=method,
                channel=channel,
                payment_id=payment_id,
                now=ctx.now(),
            ),
        )

    payment, created = await _priced_payment(ctx, subscriber, amount, channel, payment_id, create)
    if not created:
        return payment
    payment.pay_url = await _provider(ctx.services).start(
        str(payment.id), payment.payable_fen, method.value, False
    )
    await Payment.filter(id=payment.id).update(pay_url=payment.pay_url)
    return payment


async def _first_with_key(scope: str, key: str, fingerprint: str, create: Awaitable[Any]):
    """Run `create`; when a concurrent request with the same key won the unique index, answer
    with the winner's payment instead. Returns (result, created)."""
    try:
        return await create, True
    except IntegrityError:
        if (existing := await repo.by_key(scope, key)) is None:
            raise
        return _same_request(existing, fingerprint), False


async def _redeem_card(
    ctx: RequestContext,
    subscriber: Subscriber,
    amount_fen: int | None,
    channel: Channel,
    key: str,
    scope: str,
    card_pin: str | None,
) -> Payment:
    pin_hash = hash_card_pin(normalize_card_pin(card_pin))
    if amount_fen is not None:
        check_recharge_amount(amount_fen)
    fingerprint = _fingerprint(subscriber.msisdn, "CARD_PIN", channel, pin_hash)
    if (existing := await repo.by_key(scope, key)) is not None:
        return _same_request(existing, fingerprint)
    if not await ctx.stores.rate_limits.allow(
        "card-pin", ctx.client_ip, CARD_ATTEMPTS_PER_HOUR, 3600
    ):
        raise fail("RATE_LIMITED", "Too many card attempts; try again within the hour.", "cardPin")
    settlement, created = await _first_with_key(
        scope,
        key,
        fingerprint,
        repo.redeem_card(
            subscriber=subscriber,
            pin_hash=pin_hash,
            expected_amount_fen=amount_fen,
            payer_scope=scope,
            key=key,
            fingerprint=fingerprint,
            channel=channel,
            at=ctx.now(),
        ),
    )
    if not created:
        return settlement
    await _credited_notice(ctx.services, settlement)
    return settlement.payment


def _provider(services: Services):
    if services.payments is None:
        raise RuntimeError("no payment provider is configured")
    return services.payments


async def _credited_notice(services: Services, settlement: repo.Settlement) -> None:
    payment = settlement.payment
    balance = yuan(settlement.balance_after_fen or 0)
    text = f"您已成功充值{yuan(payment.amount_fen)}，当前余额{balance}。"
    if settlement.reactivated:
        text += "您的号码已恢复服务。"
    await services.sms.send(payment.msisdn, "RECHARGE", text)


async def payment_by_id(payment_id: str, now: datetime) -> Payment | None:
    payment = await repo.by_id(payment_id)
    if (
        payment is not None
        and payment.status is PaymentStatus.CREATED
        and await repo.expire_stale(now)
    ):
        payment = await repo.by_id(payment_id)
    return payment


# --- the provider's callback ------------------------------------------------------------------


async def receive_callback(
    services: Services, body: bytes, headers: dict[str, str]
) -> tuple[int, dict]:
    """POST /payments/callback. Returns (HTTP status, JSON body); never raises for bad input."""
    try:
        callback = verify_callback(
            services.settings.payment_secret,
            body,
            headers.get("x-telehall-timestamp"),
            headers.get("x-telehall-nonce"),
            headers.get("x-telehall-signature"),
            services.now().timestamp(),
        )
        if not await services.stores.nonces.claim(
            "payment-callback", callback.nonce, 2 * CALLBACK_WINDOW_SECONDS + 60
        ):
            raise CallbackRejected(409, "REPLAYED", "This callback was already delivered.")
        payment = await repo.by_id(callback.payment_id)
        if payment is None:
            raise CallbackRejected(404, "UNKNOWN_PAYMENT", "No such payment.")
        if callback.amount_fen != payment.payable_fen:
            raise CallbackRejected(409, "AMOUNT_MISMATCH", "The amount is not the payment's.")
        if payment.method is PaymentMethod.CARD_PIN:
            raise CallbackRejected(409, "NOT_PROVIDER_PAYMENT", "Card payments have no callback.")
        if callback.outcome is CallbackOutcome.FAILED:
            return await _failed(services, payment, callback.provider_txn_id)
        return await _paid(services, payment, callback.provider_txn_id)
    except CallbackRejected as rejected:
        return rejected.status, {"ok": False, "error": rejected.code, "message": rejected.message}


def _already(payment: Payment, txn: str) -> tuple[int, dict]:
    if payment.status is PaymentStatus.PAID and payment.provider_txn_id == txn:
        return 200, {"ok": True, "result": "ALREADY_PROCESSED", "paymentId": str(payment.id)}
    if payment.status is PaymentStatus.PAID:
        raise CallbackRejected(409, "TXN_MISMATCH", "The payment was paid by another transaction.")
    raise CallbackRejected(409, "PAYMENT_CLOSED", f"The payment is {payment.status.value}.")


async def _paid(services: Services, payment: Payment, txn: str) -> tuple[int, dict]:
    if payment.status not in repo.SETTLEABLE:
        return _already(payment, txn)
    try:
        settlement = await repo.settle_paid(str(payment.id), txn, at=services.now())
    except IntegrityError as exc:
        raise CallbackRejected(
            409, "TXN_REUSED", "This transaction id paid another payment."
        ) from exc
    if not settlement.credited:
        return _already(settlement.payment, txn)
    await campaign_caps.payment_paid(services, payment.id, payment.subscriber_id, services.now())  # type: ignore[attr-defined]
    await _credited_notice(services, settlement)
    return 200, {"ok": True, "result": "CREDITED", "paymentId": str(payment.id)}


async def _failed(services: Services, payment: Payment, txn: str) -> tuple[int, dict]:
    if payment.status in repo.SETTLEABLE and await repo.settle_failed(str(payment.id), "PROVIDER"):
        await campaign_caps.payment_closed(services, payment.id, services.now())
        return 200, {"ok": True, "result": "FAILED_RECORDED", "paymentId": str(payment.id)}
    fresh = await repo.by_id(str(payment.id))
    assert fresh is not None
    if fresh.status is PaymentStatus.FAILED:
        return 200, {"ok": True, "result": "ALREADY_PROCESSED", "paymentId": str(payment.id)}
    raise CallbackRejected(409, "PAYMENT_CLOSED", f"The payment is {fresh.status.value}.")


async def dev_payment_complete(
    ctx: RequestContext, payment_id: str, outcome: CallbackOutcome
) -> tuple[int, dict]:
    """Dev/test: the payer pays at the simulated cashier; the provider calls back."""
    payment = await repo.by_id(payment_id)
    if payment is None:
        raise fail("NOT_FOUND", "No such payment.", "paymentId")
    complete = getattr(_provider(ctx.services), "complete", None)
    if complete is None:
        raise fail("NOT_SUPPORTED", "The configured provider is not the simulator.", "paymentId")
    return await complete(str(payment.id), outcome)


# --- auto-recharge ----------------------------------------------------------------------------


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
            key=f"auto:{payment_id}",
            fingerprint=_fingerprint("auto", payment_id),
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
        payment, _ = await _priced_payment(ctx, subscriber, amount, Channel.APP, payment_id, create)
    except BaseException:
        await repo.release_in_flight(payment_id)
        raise
    try:
        url = await _provider(ctx.services).start(
            str(payment.id), payment.payable_fen, settings.method.value, True
        )
    except Exception:
        await repo.settle_failed(str(payment.id), "PROVIDER_UNAVAILABLE")
        await campaign_caps.payment_closed(ctx.services, payment.id, ctx.now())
        raise
    await Payment.filter(id=payment.id).update(pay_url=url)
    return await Payment.get(id=payment.id)


# --- history ----------------------------------------------------------------------------------


async def recharges(
    subscriber: Subscriber, first: int | None, after: str | None, now: datetime
) -> Page[Payment]:
    """Credited top-ups of the last 24 months, newest first."""
    since = retention_start(now, RECHARGE_MONTHS)
    query = Payment.filter(
        subscriber_id=subscriber.id, status=PaymentStatus.PAID, paid_at__gte=since
    )
    return await keyset_page(query, first, after, ("-paid_at", "-id"))


async def all_recharges(subscriber_id: int, now: datetime) -> list[Payment]:
    since = retention_start(now, RECHARGE_MONTHS)
    return await Payment.filter(
        subscriber_id=subscriber_id, status=PaymentStatus.PAID, paid_at__gte=since
    ).order_by("-paid_at", "-id")
