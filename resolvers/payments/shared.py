"""What every way of paying shares: who pays, the request's fingerprint and idempotency key,
the provider port, pricing with campaign caps held for the payment's life, the credit notice."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.exceptions import IntegrityError

from db.models.accounts import Subscriber
from db.models.payments import Payment
from db.repositories import payments as repo
from domain.errors import fail
from domain.idempotency import anonymous_scope
from domain.money import yuan
from domain.pricing import Channel, Quote
from resolvers import campaign_caps
from resolvers.context import RequestContext, Services
from resolvers.pricing import price_recharge


def payer_scope(ctx: RequestContext, client_token: str | None = None) -> str:
    """Whose idempotency keys these are: the account, or one anonymous client (never all)."""
    session = ctx.session
    if session is None:
        return anonymous_scope(client_token)
    return f"{'sub' if session.is_subscriber else 'staff'}:{session.subject_id}"


async def priced_payment(
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


def fingerprint_of(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def same_request(payment: Payment, fingerprint: str) -> Payment:
    if payment.fingerprint != fingerprint:
        raise fail(
            "IDEMPOTENCY_KEY_REUSED",
            "This idempotencyKey was already used for a different request.",
            "idempotencyKey",
        )
    return payment


async def first_with_key(scope: str, key: str, fingerprint: str, create: Awaitable[Any]):
    """Run `create`; when a concurrent request with the same key won the unique index, answer
    with the winner's payment instead. Returns (result, created)."""
    try:
        return await create, True
    except IntegrityError:
        if (existing := await repo.by_key(scope, key)) is None:
            raise
        return same_request(existing, fingerprint), False


def provider(services: Services):
    if services.payments is None:
        raise RuntimeError("no payment provider is configured")
    return services.payments


async def credited_notice(services: Services, settlement: repo.Settlement) -> None:
    payment = settlement.payment
    balance = yuan(settlement.balance_after_fen or 0)
    text = f"您已成功充值{yuan(payment.amount_fen)}，当前余额{balance}。"
    if settlement.reactivated:
        text += "您的号码已恢复服务。"
    await services.sms.send(payment.msisdn, "RECHARGE", text)
