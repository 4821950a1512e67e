"""The e-mail sender: the e-mail outbox (`email_outbox`) as a channel of
resolvers/outbox_sender.py, delivered through the EmailSender port. An invoice's message carries
its PDF, drawn when the message is sent (the invoice never changes once issued)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from db.models.accounts import Subscriber
from db.models.email import EmailMessage
from db.models.invoices import Invoice
from db.repositories.email_outbox import EMAIL_OUTBOX
from domain.ports import Attachment
from resolvers import outbox_sender
from resolvers.context import Services
from resolvers.invoices import lines_of
from resolvers.outbox_sender import WORKER, SenderPolicy, SendReport


class EmailChannel:
    table = EMAIL_OUTBOX

    def __init__(self, services: Services) -> None:
        s = services.settings
        self.services = services
        self.policy = SenderPolicy(
            s.email_batch,
            s.email_concurrency,
            s.email_claim_seconds,
            s.email_send_timeout_seconds,
            s.email_max_attempts,
            s.email_retry_base_seconds,
            s.email_retry_cap_seconds,
        )

    def give_up_reason(self, message: EmailMessage, now: datetime) -> str | None:
        return None  # an invoice is as useful next week as today

    async def deliver(self, message: EmailMessage) -> None:
        sender = self.services.email
        assert sender is not None, "no EmailSender configured"
        attachments = await self.attachments(message)
        await sender.send(
            str(message.id), message.to_address, message.subject, message.body, attachments
        )

    async def attachments(self, message: EmailMessage) -> tuple[Attachment, ...]:
        if message.invoice_id is None:  # type: ignore[attr-defined]
            return ()
        render = self.services.invoice_pdf
        assert render is not None, "no invoice PDF renderer configured"
        invoice = await Invoice.get(id=message.invoice_id)  # type: ignore[attr-defined]
        owner = await Subscriber.get(id=invoice.subscriber_id)  # type: ignore[attr-defined]
        pdf = await asyncio.to_thread(render, invoice, lines_of(invoice), owner.msisdn)
        return (Attachment(f"invoice-{invoice.number}.pdf", "application/pdf", pdf),)


async def drain(
    services: Services, now: datetime | None = None, max_rounds: int = 20, worker: str = WORKER
) -> SendReport:
    """Send rounds until nothing due is left (or `max_rounds`), then count the backlog."""
    return await outbox_sender.drain(EmailChannel(services), services.now, now, max_rounds, worker)
