"""Interfaces to the outside world; the hall ships honest simulated implementations of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class SmsGateway(Protocol):
    """What use cases call to notify a subscriber: the message is queued (the outbox, and the
    subscriber's app inbox: resolvers/notifier.py) and the sender (resolvers/sms_sender.py)
    hands it to the SmsDeliveryGateway. `at`: the instant it is sent at (a job's slot).
    `using_db`: the caller's open transaction, so the notice is queued if and only if the
    business change commits (a hot path's one write). `subscriber_id`: the subscriber whose
    number it is, when the caller knows (it is then not looked up)."""

    async def send(
        self,
        msisdn: str,
        kind: str,
        text: str,
        *,
        at: datetime | None = None,
        using_db: object | None = None,
        subscriber_id: int | None = None,
    ) -> None: ...


class TransientDeliveryError(Exception):
    """An outbox's gateway says: try again later (timeout, busy, a rate limit)."""

    def __init__(self, reason: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after_seconds = reason, retry_after_seconds


class DeliveryRejectedError(Exception):
    """An outbox's gateway says: never deliverable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SmsTransientError(TransientDeliveryError):
    """Try again later: timeout, gateway busy, the per-number rate limit."""


class SmsRejectedError(DeliveryRejectedError):
    """Never deliverable (a number the SMS centre refuses, blocked content)."""


class EmailTransientError(TransientDeliveryError):
    """The mail server deferred the message (an SMTP 4xx, a timeout)."""


class EmailRejectedError(DeliveryRejectedError):
    """The mail server refused the message for good (an SMTP 5xx: no such mailbox)."""


class SmsDeliveryGateway(Protocol):
    """The carrier's SMS centre (SMPP/CMPP or a cloud SMS API). `message_id` is the sender's own
    id of the notice: the gateway accepts each id once, so a retry after a lost answer does not
    send twice. Raises SmsTransientError or SmsRejectedError."""

    async def deliver(self, message_id: str, msisdn: str, text: str) -> None: ...


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. application/pdf
    content: bytes


class EmailSender(Protocol):
    """The mail service (an SMTP relay or a cloud mail API). `message_id` is the outbox's own id
    of the message: the sender accepts each id once, so a retry after a lost answer does not
    send twice. Raises EmailTransientError or EmailRejectedError."""

    async def send(
        self,
        message_id: str,
        to: str,
        subject: str,
        body: str,
        attachments: tuple[Attachment, ...] = (),
    ) -> None: ...


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
