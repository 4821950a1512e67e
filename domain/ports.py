"""Interfaces to the outside world; the hall ships honest simulated implementations of each."""

from __future__ import annotations

from typing import Protocol


class SmsGateway(Protocol):
    async def send(self, msisdn: str, kind: str, text: str) -> None: ...


class PaymentProvider(Protocol):
    """A payment service (Alipay, WeChat Pay, UnionPay). It learns of a payment through `start`
    and reports the outcome later through the signed callback to /payments/callback."""

    async def start(self, payment_id: str, amount_fen: int, method: str, auto_debit: bool) -> str:
        """Register the payment; returns the URL where the payer pays (the cashier page). An
        auto-debit payment (auto-recharge) completes without the payer."""
        ...

    async def refund(self, payment_id: str, refund_id: str, amount_fen: int, reason: str) -> str:
        """Give a paid payment's money back to the payer. Idempotent on `refund_id` (the same
        request again returns the same provider refund id); returns the provider's refund id.
        Raises `RefundRefused` when the provider will not refund (unknown or unpaid payment,
        more than was paid)."""
        ...


class RefundRefused(Exception):
    """The provider refused a refund request; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
