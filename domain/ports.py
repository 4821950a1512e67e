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
