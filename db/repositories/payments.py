"""Payments: creation under an idempotency key, the exactly-once settlement, prepaid cards and
the auto-recharge in-flight flag.

Exactly once: settlement is a guarded status transition (`status IN (CREATED, EXPIRED)` →
PAID) whose row count decides who credits, in the same transaction as the credit. A replayed or
concurrent callback finds the row already PAID and changes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.models.payments import AutoRecharge, Payment, RechargeCard
from db.repositories import balances, growth
from domain.accounts import SubscriberStatus
from domain.idempotency import internal_key
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import RechargeDetails
from domain.payments import (
    PAYMENT_TTL_SECONDS,
    CardFacts,
    CardStatus,
    PaymentMethod,
    PaymentStatus,
    PaymentTrigger,
    card_used,
    check_card,
    status_after_recharge,
)
from domain.points.growth import GrowthRules
from domain.pricing import Channel

RECHARGE_REASON = "RECHARGE"
SETTLEABLE = (PaymentStatus.CREATED, PaymentStatus.EXPIRED)


@dataclass
class Settlement:
    payment: Payment
    credited: bool
    balance_after_fen: int | None = None
    reactivated: bool = False


async def by_key(payer_scope: str, key: str) -> Payment | None:
    return await Payment.get_or_none(payer_scope=payer_scope, idempotency_key=key)


async def by_id(payment_id: str) -> Payment | None:
    try:
        uuid.UUID(str(payment_id))
    except ValueError:
        return None
    return await Payment.get_or_none(id=payment_id)


async def create(
    *,
    subscriber: Subscriber,
    payer_scope: str,
    key: str,
    fingerprint: str,
    amount_fen: int,
    payable_fen: int,
    method: PaymentMethod,
    channel: Channel,
    trigger: PaymentTrigger = PaymentTrigger.MANUAL,
    payment_id: uuid.UUID | None = None,
    now: datetime,
) -> Payment:
    """Insert a CREATED payment; raises IntegrityError when the key was taken concurrently."""
    return await Payment.create(
        created_at=now,
        id=payment_id or uuid.uuid4(),
        subscriber_id=subscriber.id,
        msisdn=subscriber.msisdn,
        payer_scope=payer_scope,
        idempotency_key=key,
        fingerprint=fingerprint,
        amount_fen=amount_fen,
        payable_fen=payable_fen,
        method=method,
        channel=channel,
        trigger=trigger,
        status=PaymentStatus.CREATED,
    )


async def _credit_in(conn, payment: Payment, at: datetime) -> tuple[int, bool]:
    subscriber_id = payment.subscriber_id  # type: ignore[attr-defined]
    balance = await balances.credit(
        conn, subscriber_id, payment.amount_fen, RECHARGE_REASON, ref=str(payment.id), at=at
    )
    # The credit's update holds the subscriber's row until commit: status and balance stay put.
    status, credit_limit = (
        await Subscriber.filter(id=subscriber_id)
        .using_db(conn)
        .first()
        .values_list("status", "credit_limit_fen")
    )
    current = SubscriberStatus(status)
    after = status_after_recharge(current, balance, credit_limit)
    reactivated = after is not current and bool(
        await Subscriber.filter(id=subscriber_id, status=current)
        .using_db(conn)
        .update(status=after)
    )
    await Order.create(
        subscriber_id=subscriber_id,
        kind=OrderKind.RECHARGE,
        status=OrderStatus.COMPLETED,
        idempotency_key=internal_key("payment", payment.id),
        list_price_fen=payment.amount_fen,
        final_price_fen=payment.payable_fen,
        pricing={"list_price_fen": payment.amount_fen, "final_price_fen": payment.payable_fen},
        details=RechargeDetails(
            fingerprint=f"payment:{payment.id}",
            channel=str(payment.channel),
            payment_id=str(payment.id),
            method=str(payment.method),
            trigger=str(payment.trigger),
        ).to_json(),
        effective_from=at,
        created_at=at,
        using_db=conn,
    )
    return balance, reactivated


async def _grow(conn, payment: Payment, at: datetime, rules: GrowthRules | None) -> None:
    """A recharge earns no points (a prepayment) but grows the growth tree (沃之树), once."""
    await growth.earn(
        conn,
        payment.subscriber_id,  # type: ignore[attr-defined]
        f"RECHARGE:{payment.id}",
        (rules or GrowthRules()).for_recharge(payment.amount_fen),
        at,
    )


async def settle_paid(
    payment_id: str, provider_txn_id: str, *, at: datetime, growth_rules: GrowthRules | None = None
) -> Settlement:
    """PAID exactly once; raises IntegrityError if the txn id already paid another payment."""
    paid_at = at
    async with in_transaction() as conn:
        moved = (
            await Payment.filter(id=payment_id, status__in=SETTLEABLE)
            .using_db(conn)
            .update(status=PaymentStatus.PAID, provider_txn_id=provider_txn_id, paid_at=paid_at)
        )
        payment = await Payment.get(id=payment_id).using_db(conn)
        if not moved:
            return Settlement(payment, credited=False)
        balance, reactivated = await _credit_in(conn, payment, at)
        await release_in_flight(payment.id, conn)
        await _grow(conn, payment, paid_at, growth_rules)
    return Settlement(payment, True, balance, reactivated)


async def settle_failed(payment_id: str, reason: str) -> bool:
    async with in_transaction() as conn:
        moved = (
            await Payment.filter(id=payment_id, status__in=SETTLEABLE)
            .using_db(conn)
            .update(status=PaymentStatus.FAILED, failure_reason=reason[:64])
        )
        await release_in_flight(payment_id, conn)
    return bool(moved)


async def expire_stale(now: datetime) -> int:
    """CREATED payments older than the payment window become EXPIRED (a late success callback
    still settles them: the payer's money was taken)."""
    cutoff = now - timedelta(seconds=PAYMENT_TTL_SECONDS)
    return await Payment.filter(status=PaymentStatus.CREATED, created_at__lt=cutoff).update(
        status=PaymentStatus.EXPIRED
    )


# --- prepaid cards ----------------------------------------------------------------------------


def _facts(card: RechargeCard | None) -> CardFacts | None:
    return None if card is None else CardFacts(card.status, card.valid_until, card.face_value_fen)


async def redeem_card(
    *,
    subscriber: Subscriber,
    pin_hash: str,
    expected_amount_fen: int | None,
    payer_scope: str,
    key: str,
    fingerprint: str,
    channel: Channel,
    at: datetime,
    growth_rules: GrowthRules | None = None,
) -> Settlement:
    """Consume the card (guarded update, single use), record a PAID payment and credit, all in
    one transaction. A DomainError or a lost idempotency race rolls the card back."""
    now = at
    async with in_transaction() as conn:
        card = await RechargeCard.filter(pin_hash=pin_hash).using_db(conn).first()
        facts = (
            None if card is None else CardFacts(card.status, card.valid_until, card.face_value_fen)
        )
        check_card(facts, expected_amount_fen, now)
        assert card is not None
        taken = (
            await RechargeCard.filter(id=card.id, status=CardStatus.ACTIVE)
            .using_db(conn)
            .update(status=CardStatus.USED, used_at=now, used_by_msisdn=subscriber.msisdn)
        )
        if not taken:
            raise card_used()
        payment = await Payment.create(
            id=uuid.uuid4(),
            subscriber_id=subscriber.id,
            msisdn=subscriber.msisdn,
            payer_scope=payer_scope,
            idempotency_key=key,
            fingerprint=fingerprint,
            amount_fen=card.face_value_fen,
            payable_fen=card.face_value_fen,
            method=PaymentMethod.CARD_PIN,
            channel=channel,
            status=PaymentStatus.PAID,
            provider_txn_id=f"CARD-{card.serial}",
            paid_at=now,
            created_at=now,
            using_db=conn,
        )
        balance, reactivated = await _credit_in(conn, payment, at)
        await _grow(conn, payment, now, growth_rules)
    return Settlement(payment, True, balance, reactivated)


async def add_card(serial: str, pin_hash: str, face_value_fen: int, valid_until: datetime):
    return await RechargeCard.create(
        serial=serial, pin_hash=pin_hash, face_value_fen=face_value_fen, valid_until=valid_until
    )


# --- auto-recharge ----------------------------------------------------------------------------


async def auto_settings(subscriber_id: int) -> AutoRecharge | None:
    return await AutoRecharge.get_or_none(subscriber_id=subscriber_id)


async def save_auto_settings(
    subscriber_id: int, threshold_fen: int, amount_fen: int, method: PaymentMethod
) -> AutoRecharge:
    values = {
        "enabled": True,
        "threshold_fen": threshold_fen,
        "amount_fen": amount_fen,
        "method": method,
    }
    try:
        row, _ = await AutoRecharge.update_or_create(subscriber_id=subscriber_id, defaults=values)
    except IntegrityError:  # created concurrently: update the winner's row
        await AutoRecharge.filter(subscriber_id=subscriber_id).update(**values)
        row = await AutoRecharge.get(subscriber_id=subscriber_id)
    return row


async def disable_auto(subscriber_id: int) -> AutoRecharge | None:
    await AutoRecharge.filter(subscriber_id=subscriber_id).update(enabled=False)
    return await AutoRecharge.get_or_none(subscriber_id=subscriber_id)


async def take_in_flight(subscriber_id: int, payment_id: uuid.UUID, now: datetime) -> bool:
    """The guarded flag: only one caller sets it; a flag older than the payment window is stale
    (its payment expired) and may be taken over."""
    stale = now - timedelta(seconds=PAYMENT_TTL_SECONDS)
    return bool(
        await AutoRecharge.filter(
            Q(in_flight_payment_id__isnull=True) | Q(in_flight_since__lt=stale),
            subscriber_id=subscriber_id,
            enabled=True,
        ).update(in_flight_payment_id=payment_id, in_flight_since=now)
    )


async def release_in_flight(payment_id, conn=None) -> None:
    await (
        AutoRecharge.filter(in_flight_payment_id=payment_id)
        .using_db(conn)
        .update(in_flight_payment_id=None, in_flight_since=None)
    )


async def paid_recharges(subscriber_id: int, since: datetime):
    return Payment.filter(
        subscriber_id=subscriber_id, status=PaymentStatus.PAID, paid_at__gte=since
    )
