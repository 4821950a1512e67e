"""The provider's signed callback: verified, never replayed, credits exactly once; and the dev
simulator's cashier."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from db.models.payments import Payment
from db.repositories import payments as repo
from domain.errors import fail
from domain.payments import (
    CALLBACK_WINDOW_SECONDS,
    CallbackOutcome,
    CallbackRejected,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    verify_callback,
)
from resolvers import campaign_caps, device_payments, growth, mall_payments, number_delivery
from resolvers.context import RequestContext, Services
from resolvers.flash import pay as flash_pay
from resolvers.payments.shared import credited_notice, provider

# Payments that pay for something other than a recharge: each purpose settles its own order.
PURPOSE_CALLBACKS = {
    PaymentPurpose.FLASH_SALE: flash_pay.callback,
    PaymentPurpose.NUMBER_PURCHASE: number_delivery.callback,
    PaymentPurpose.POINTS_MALL: mall_payments.callback,
    PaymentPurpose.DEVICE_PURCHASE: device_payments.callback,
}


async def receive_callback(
    services: Services, body: bytes, headers: dict[str, str]
) -> tuple[int, dict]:
    """POST /payments/callback. Returns (HTTP status, JSON body); never raises for bad input."""
    try:
        callback = _verified(services, body, headers)
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
        if (settle := PURPOSE_CALLBACKS.get(payment.purpose)) is not None:
            return await settle(
                services,
                payment,
                callback.provider_txn_id,
                callback.outcome is CallbackOutcome.SUCCESS,
            )
        if callback.outcome is CallbackOutcome.FAILED:
            return await _failed(services, payment, callback.provider_txn_id)
        return await _paid(services, payment, callback.provider_txn_id)
    except CallbackRejected as rejected:
        return rejected.status, {"ok": False, "error": rejected.code, "message": rejected.message}


def _verified(services: Services, body: bytes, headers: dict[str, str]):
    """Signed with the payment secret, or (while it is being rotated) with the previous one."""
    keys = [services.settings.payment_secret]
    if previous := getattr(services.settings, "payment_secret_previous", ""):
        keys.append(previous)
    for i, secret in enumerate(keys):
        try:
            return verify_callback(
                secret,
                body,
                headers.get("x-telehall-timestamp"),
                headers.get("x-telehall-nonce"),
                headers.get("x-telehall-signature"),
                services.now().timestamp(),
            )
        except CallbackRejected as rejected:
            if rejected.code != "BAD_SIGNATURE" or i == len(keys) - 1:
                raise
    raise AssertionError("unreachable")


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
        settlement = await repo.settle_paid(
            str(payment.id), txn, at=services.now(), growth_rules=growth.rules()
        )
    except IntegrityError as exc:
        raise CallbackRejected(
            409, "TXN_REUSED", "This transaction id paid another payment."
        ) from exc
    if not settlement.credited:
        return _already(settlement.payment, txn)
    await campaign_caps.payment_paid(services, payment.id, payment.subscriber_id, services.now())  # type: ignore[attr-defined]
    await credited_notice(services, settlement)
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
    complete = getattr(provider(ctx.services), "complete", None)
    if complete is None:
        raise fail("NOT_SUPPORTED", "The configured provider is not the simulator.", "paymentId")
    return await complete(str(payment.id), outcome)
