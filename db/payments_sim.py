"""The simulated payment provider (the PaymentProvider port's honest stand-in).

It behaves like Alipay/WeChat Pay towards the hall: `start` registers a payment and returns the
cashier URL; when the payer pays (in dev: the cashier page or `devPaymentComplete`; auto-debits
at once) the provider POSTs a signed callback (see domain.payments for the format) through
`deliver`, which the server wires to the same handler as POST /payments/callback. Redelivery
re-signs the same notification with a fresh timestamp and nonce, and keeps the transaction id.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable

from db.models.payments import Payment
from domain.clock import Clock
from domain.payments import CallbackOutcome, canonical_json, sign

Deliver = Callable[[bytes, dict[str, str]], Awaitable[tuple[int, dict]]]


class SimulatedPaymentProvider:
    def __init__(
        self,
        secret: str,
        clock: Clock,
        deliver: Deliver | None = None,
        *,
        auto_debit_completes: bool = True,
    ) -> None:
        self.secret = secret
        self.clock = clock  # the provider's own clock; simulated, it reads the hall's
        self.deliver = deliver
        self.auto_debit_completes = auto_debit_completes

    async def start(self, payment_id: str, amount_fen: int, method: str, auto_debit: bool) -> str:
        if auto_debit and self.auto_debit_completes:
            await self.complete(payment_id)
        return f"/payments/sim/{payment_id}"

    def txn_id(self, payment_id: str) -> str:
        """The provider's transaction id: fixed per payment, so redeliveries carry the same."""
        return "SIM" + hashlib.sha256(f"txn:{payment_id}".encode()).hexdigest()[:24].upper()

    def callback(
        self,
        payment_id: str,
        amount_fen: int,
        outcome: CallbackOutcome = CallbackOutcome.SUCCESS,
        *,
        txn_id: str | None = None,
        timestamp: int | None = None,
        nonce: str | None = None,
        secret: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """A signed callback body and its headers (tests forge variants through the keywords)."""
        body = canonical_json(
            {
                "amountFen": amount_fen,
                "paidAt": self.clock.now().isoformat(timespec="seconds"),
                "paymentId": str(payment_id),
                "providerTxnId": txn_id or self.txn_id(str(payment_id)),
                "status": outcome.value,
            }
        )
        ts = str(timestamp if timestamp is not None else int(self.clock.now().timestamp()))
        nonce = nonce or secrets.token_hex(16)
        headers = {
            "content-type": "application/json",
            "x-telehall-timestamp": ts,
            "x-telehall-nonce": nonce,
            "x-telehall-signature": sign(secret or self.secret, ts, nonce, body),
        }
        return body, headers

    async def complete(
        self, payment_id: str, outcome: CallbackOutcome = CallbackOutcome.SUCCESS
    ) -> tuple[int, dict]:
        """The payer paid (or the payment failed): deliver the signed callback."""
        payment = await Payment.get_or_none(id=payment_id)
        if payment is None:
            return 404, {"error": "UNKNOWN_PAYMENT"}
        if self.deliver is None:
            raise RuntimeError("the simulated provider has nowhere to deliver callbacks")
        body, headers = self.callback(str(payment.id), payment.payable_fen, outcome)
        return await self.deliver(body, headers)
