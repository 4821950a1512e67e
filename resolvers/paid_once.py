"""What every order paid through the provider does first on its callback: mark the payment PAID
by the provider's transaction, or FAILED, exactly once (the recharge callback has its own ledger
step)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from db.models.payments import Payment
from db.repositories import payments as repo
from domain.payments import PaymentStatus


async def mark_paid_once(payment: Payment, txn: str, now: datetime) -> tuple[int, dict] | None:
    """The provider's callback marks an order's payment PAID by its transaction, once. None: this
    call moved it, so the caller fulfils the order; else the answer to a repeated callback (the
    same transaction) or to one naming another transaction."""
    moved = await Payment.filter(id=payment.id, status__in=repo.SETTLEABLE).update(
        status=PaymentStatus.PAID, provider_txn_id=txn, paid_at=now
    )
    if moved:
        return None
    if (await Payment.get(id=payment.id)).provider_txn_id == txn:
        return 200, {"ok": True, "result": "ALREADY_PROCESSED", "paymentId": str(payment.id)}
    return 409, {"ok": False, "error": "TXN_MISMATCH", "message": "Paid by another txn."}


async def mark_failed_once(
    payment: Payment, undo: Callable[[], Awaitable[object]]
) -> tuple[int, dict]:
    """The provider says the payment failed: recorded once, and the order undone (`undo`) by the
    callback that recorded it; a repeated callback changes nothing."""
    pid = str(payment.id)
    if not await repo.settle_failed(pid, "PROVIDER"):
        return 200, {"ok": True, "result": "ALREADY_PROCESSED", "paymentId": pid}
    await undo()
    return 200, {"ok": True, "result": "FAILED_RECORDED", "paymentId": pid}
