"""A recharge of any ACTIVE or SUSPENDED number: through the payment provider, or at once with a
prepaid card PIN."""

from __future__ import annotations

import uuid
from datetime import datetime

from db.models.accounts import Subscriber
from db.models.payments import Payment
from db.repositories import payments as repo
from db.repositories.orders import check_key
from domain.accounts import SubscriberStatus, check_msisdn
from domain.errors import fail
from domain.payments import (
    PaymentMethod,
    PaymentStatus,
    check_recharge_amount,
    hash_card_pin,
    normalize_card_pin,
)
from domain.pricing import Channel
from resolvers import growth
from resolvers.context import RequestContext
from resolvers.payments.shared import (
    credited_notice,
    fingerprint_of,
    first_with_key,
    payer_scope,
    priced_payment,
    provider,
    same_request,
)

CARD_ATTEMPTS_PER_HOUR = 10


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


async def recharge_create(
    ctx: RequestContext,
    msisdn: str,
    amount_fen: int | None,
    channel: Channel,
    method: PaymentMethod,
    idempotency_key: str,
    card_pin: str | None = None,
    client_token: str | None = None,
) -> Payment:
    key = check_key(idempotency_key)
    subscriber = await _recipient(msisdn)
    scope = payer_scope(ctx, client_token)
    if method is PaymentMethod.CARD_PIN:
        return await _redeem_card(ctx, subscriber, amount_fen, channel, key, scope, card_pin)
    amount = check_recharge_amount(amount_fen)
    fingerprint = fingerprint_of(subscriber.msisdn, amount, channel, method)
    if (existing := await repo.by_key(scope, key)) is not None:
        return same_request(existing, fingerprint)
    await repo.expire_stale(ctx.now())
    payment_id = uuid.uuid4()

    async def create(payable: int) -> tuple[Payment, bool]:
        return await first_with_key(
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

    payment, created = await priced_payment(ctx, subscriber, amount, channel, payment_id, create)
    if not created:
        return payment
    payment.pay_url = await provider(ctx.services).start(
        str(payment.id), payment.payable_fen, method.value, False
    )
    await Payment.filter(id=payment.id).update(pay_url=payment.pay_url)
    return payment


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
    fingerprint = fingerprint_of(subscriber.msisdn, "CARD_PIN", channel, pin_hash)
    if (existing := await repo.by_key(scope, key)) is not None:
        return same_request(existing, fingerprint)
    if not await ctx.stores.rate_limits.allow(
        "card-pin", ctx.client_ip, CARD_ATTEMPTS_PER_HOUR, 3600
    ):
        raise fail("RATE_LIMITED", "Too many card attempts; try again within the hour.", "cardPin")
    settlement, created = await first_with_key(
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
            growth_rules=growth.rules(),
        ),
    )
    if not created:
        return settlement
    await credited_notice(ctx.services, settlement)
    return settlement.payment


async def payment_by_id(payment_id: str, now: datetime) -> Payment | None:
    payment = await repo.by_id(payment_id)
    if (
        payment is not None
        and payment.status is PaymentStatus.CREATED
        and await repo.expire_stale(now)
    ):
        payment = await repo.by_id(payment_id)
    return payment
