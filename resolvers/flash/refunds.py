"""Refunds the provider refused, for operators: the list of those not settled, and a retry that
asks the provider again with the refund's own id. The provider is idempotent on that id, so no
number of retries (concurrent ones included) can pay a customer twice. Each retry is recorded
(`RefundRetry`: who, when, under which key, what the provider answered): the same operator's
same key answers once and changes nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError

from db.models.payments import Payment, PaymentRefund, RefundRetry
from db.repositories.orders import check_key
from domain.errors import fail
from resolvers.context import Services
from resolvers.flash.pay import refund
from resolvers.pagination import Page, keyset_page

UNSETTLED = ("REFUSED", "REQUESTED")  # REQUESTED: the provider did not answer (the reaper asks)
ASKING = "ASKING"  # a retry whose answer is not recorded yet


@dataclass(frozen=True)
class PendingRefund:
    id: str
    payment_id: str
    order_id: str | None
    msisdn: str | None
    amount_fen: int
    reason: str
    status: str
    failure_code: str | None
    created_at: datetime
    settled_at: datetime | None


@dataclass(frozen=True)
class RetryAnswer:
    refund: PendingRefund
    outcome: str  # the refund's status the retry left (SUCCEEDED, REFUSED, REQUESTED)


def _view(row: PaymentRefund, payment: Payment) -> PendingRefund:
    return PendingRefund(
        id=str(row.id), payment_id=str(payment.id), order_id=payment.reference,
        msisdn=payment.msisdn, amount_fen=row.amount_fen, reason=row.reason, status=row.status,
        failure_code=row.failure_code, created_at=row.created_at, settled_at=row.settled_at,
    )  # fmt: skip


async def refunds_pending(first: int | None, after: str | None) -> Page[PendingRefund]:
    """Refunds not settled, newest first."""
    query = PaymentRefund.filter(status__in=UNSETTLED).select_related("payment")
    page = await keyset_page(query, first, after, ("-created_at", "-id"))
    return page.map(lambda row: _view(row, row.payment))


async def _refund_row(refund_id: str) -> PaymentRefund:
    try:
        found = await PaymentRefund.get_or_none(id=UUID(str(refund_id)))
    except ValueError:
        found = None
    if found is None:
        raise fail("NOT_FOUND", "No such refund.", "id")
    return found


async def _answer(refund_id: UUID, outcome: str) -> RetryAnswer:
    row = await PaymentRefund.get(id=refund_id).select_related("payment")
    return RetryAnswer(_view(row, row.payment), outcome)


async def refund_retry(
    services: Services, refund_id: str, staff_id: int, actor: str, idempotency_key: str
) -> RetryAnswer:
    key = check_key(idempotency_key)
    row = await _refund_row(refund_id)
    try:
        retry = await RefundRetry.create(
            refund_id=row.id, staff_id=staff_id, actor=actor[:64], idempotency_key=key,
            outcome=ASKING, at=services.now(),
        )  # fmt: skip
    except IntegrityError:  # this key was used: the first answer, nothing more
        earlier = await RefundRetry.get(staff_id=staff_id, idempotency_key=key)
        if earlier.refund_id != row.id:  # type: ignore[attr-defined]
            raise fail(
                "IDEMPOTENCY_KEY_REUSED",
                "This idempotencyKey was already used for a different request.",
                "idempotencyKey",
            ) from None
        return await _answer(row.id, earlier.outcome)
    if row.status == "REFUSED":  # asked again under its own id
        await PaymentRefund.filter(id=row.id, status="REFUSED").update(status="REQUESTED")
    if row.status != "SUCCEEDED":
        payment = await Payment.get(id=row.payment_id)  # type: ignore[attr-defined]
        await refund(services, payment, row.reason, payment.msisdn)
    after = await PaymentRefund.get(id=row.id)
    await RefundRetry.filter(id=retry.id).update(
        outcome=after.status, failure_code=after.failure_code if after.status == "REFUSED" else None
    )
    return await _answer(row.id, after.status)
