"""The simulated payment provider (the PaymentProvider port's honest stand-in).

It behaves like Alipay/WeChat Pay towards the hall: `start` registers a payment and returns the
cashier URL; when the payer pays (in dev: the cashier page or `devPaymentComplete`; auto-debits
at once) the provider POSTs a signed callback (see domain.payments for the format) through
`deliver`, which the server wires to the same handler as POST /payments/callback. Redelivery
re-signs the same notification with a fresh timestamp and nonce, and keeps the transaction id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable

from db.models.payments import Payment
from domain.clock import Clock
from domain.payments import CallbackOutcome, canonical_json, sign
from domain.ports import RefundRefused

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
        # the provider's own books of refunds: refund id -> (payment id, amount, its refund id)
        self.refunds: dict[str, tuple[str, int, str]] = {}
        self._refunded_fen: dict[str, int] = {}
        # while set, the refund desk refuses every request with this code and books nothing, as
        # Alipay answers ACQ.SELLER_BALANCE_NOT_ENOUGH while the merchant account cannot cover a
        # refund: the same request succeeds once it can (an operator retries it)
        self.refusing: str | None = None

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

    # --- refunds: the merchant's signed request, and the provider's desk that honours it -------

    def refund_request(
        self, payment_id: str, refund_id: str, amount_fen: int, reason: str
    ) -> tuple[bytes, dict[str, str]]:
        """The signed refund request the hall sends (as to Alipay's refund API)."""
        body = canonical_json(
            {
                "amountFen": amount_fen,
                "paymentId": str(payment_id),
                "reason": reason,
                "refundId": str(refund_id),
            }
        )
        ts = str(int(self.clock.now().timestamp()))
        nonce = secrets.token_hex(16)
        headers = {
            "x-telehall-timestamp": ts,
            "x-telehall-nonce": nonce,
            "x-telehall-signature": sign(self.secret, ts, nonce, body),
        }
        return body, headers

    async def refund(self, payment_id: str, refund_id: str, amount_fen: int, reason: str) -> str:
        body, headers = self.refund_request(payment_id, refund_id, amount_fen, reason)
        return await self.refund_desk(body, headers)

    async def refund_desk(self, body: bytes, headers: dict[str, str]) -> str:
        """The provider's side: the signature must be the merchant's; a refund id is honoured
        once (asked again, the same answer); never more than the payment paid in total."""
        ts = headers.get("x-telehall-timestamp", "")
        nonce = headers.get("x-telehall-nonce", "")
        expected = sign(self.secret, ts, nonce, body)
        if not hmac.compare_digest(expected, headers.get("x-telehall-signature", "")):
            raise RefundRefused("BAD_SIGNATURE", "The refund request is not signed by us.")
        req = json.loads(body)
        pid, rid, amount = req["paymentId"], req["refundId"], int(req["amountFen"])
        # read first: from the books' check to their entry nothing awaits, so the same refund id
        # asked twice at once is booked once
        payment = await Payment.get_or_none(id=pid)
        if (known := self.refunds.get(rid)) is not None:
            if known[:2] != (pid, amount):
                raise RefundRefused("REFUND_ID_REUSED", "This refund id asked for another refund.")
            return known[2]
        if self.refusing:
            raise RefundRefused(self.refusing, "The merchant account cannot cover this refund.")
        if payment is None or not payment.provider_txn_id:
            raise RefundRefused("NOT_PAID", "The provider has no such paid payment.")
        if amount <= 0 or self._refunded_fen.get(pid, 0) + amount > payment.payable_fen:
            raise RefundRefused("EXCEEDS_PAID", "More than the payment paid.")
        self._refunded_fen[pid] = self._refunded_fen.get(pid, 0) + amount
        provider_id = "SIMR" + hashlib.sha256(f"refund:{rid}".encode()).hexdigest()[:24].upper()
        self.refunds[rid] = (pid, amount, provider_id)
        return provider_id
