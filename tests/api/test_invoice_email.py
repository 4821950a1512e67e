"""invoiceIssue(email) delivers the invoice PDF to that address: the message is queued with the
invoice (once per source), sent by the `email-outbox` job through the EmailSender port (the
simulated mail service writes real MIME messages to a mailbox), retried with backoff on
transient failures, failed with its reason when refused or out of tries, and never sent twice,
even by two senders at once."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import secrets
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from pypdf import PdfReader

from db.email_sim import SimulatedEmailSender
from db.models.email import EmailMessage
from resolvers import email_sender
from tests.api.test_invoices import ISSUE, issue_input, issued_bill
from tests.billing_helpers import prev_cycle
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now
from tests.jobs_helpers import run_job

pytestmark = pytest.mark.calendar  # invoice years and last month's bill


@pytest.fixture
async def quiet_mail(services, clock):
    """Messages earlier tests queued and nobody sent: mark them sent so these tests see theirs."""
    clock.set(hall_now())
    await EmailMessage.filter(sent_at__isnull=True, failed_at__isnull=True).update(
        sent_at=hall_now()
    )


def with_mailbox(services, tmp_path, **options):
    sender = SimulatedEmailSender(
        tmp_path / "mailbox",
        services.clock,
        sender="Telehall <invoice@telehall.example>",
        **({"latency_ms": 0, "seed": 7} | options),
    )
    return dataclasses.replace(services, email=sender), sender


def address() -> str:
    return f"finance-{secrets.token_hex(4)}@example.com"


async def issue_with_email(api, services, email: str) -> dict:
    sub = await subscribe(services)
    await issued_bill(sub.id)
    out = (
        await api.as_(sub.token).data(ISSUE, input=issue_input("BILL", prev_cycle(), email=email))
    )["invoiceIssue"]
    assert out["userErrors"] == []
    return {"token": sub.token, **out["invoice"]}


async def test_the_invoice_pdf_reaches_the_address_once(api, services, tmp_path, quiet_mail):
    to = address()
    invoice = await issue_with_email(api, services, to)
    (queued,) = await EmailMessage.filter(to_address=to)
    assert queued.source == f"INVOICE:{invoice['number']}" and queued.sent_at is None
    # the same source again: the first invoice back, and no second message
    again = await api.as_(invoice["token"]).data(
        ISSUE, input=issue_input("BILL", prev_cycle(), email=address())
    )
    assert again["invoiceIssue"]["invoice"]["number"] == invoice["number"]
    assert await EmailMessage.filter(invoice_id=queued.invoice_id).count() == 1  # type: ignore[attr-defined]

    mailing, mailbox = with_mailbox(services, tmp_path)
    counts = await run_job("email-outbox", mailing, hall_now())
    assert counts["sent"] >= 1 and counts["failed"] == 0
    (delivered,) = mailbox.delivered(to)
    message = message_from_bytes(delivered.read_bytes(), policy=policy.default)
    assert message["To"] == to and invoice["number"] in message["Subject"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"invoice-{invoice['number']}.pdf"
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert invoice["number"] in text and "143.65" in text  # 价税合计, as the bill's total
    await queued.refresh_from_db()
    assert queued.sent_at is not None and queued.attempts == 1

    assert (await run_job("email-outbox", mailing, hall_now()))["sent"] == 0
    assert len(mailbox.delivered(to)) == 1


async def test_deferred_mail_backs_off_then_is_sent(services, api, clock, tmp_path, quiet_mail):
    to = address()
    await issue_with_email(api, services, to)
    deferring, mailbox = with_mailbox(services, tmp_path, failure_rate=1.0)
    report = await email_sender.drain(deferring)
    assert (report.sent, report.retried) == (0, 1)
    (message,) = await EmailMessage.filter(to_address=to)
    assert message.failure_reason == "SMTP_451_TRY_LATER" and message.sent_at is None
    base = services.settings.email_retry_base_seconds
    assert message.next_attempt_at >= services.now() + timedelta(seconds=base - 1)
    healthy, mailbox = with_mailbox(services, tmp_path)
    assert (await email_sender.drain(healthy)).sent == 0  # not due yet
    clock.advance(timedelta(seconds=base + 1))
    assert (await email_sender.drain(healthy)).sent == 1
    assert len(mailbox.delivered(to)) == 1


async def test_refused_or_exhausted_mail_fails_with_its_reason(
    services, api, clock, tmp_path, quiet_mail
):
    refused_to = f"nobody-{secrets.token_hex(3)}@example.invalid"
    await issue_with_email(api, services, refused_to)
    sender, mailbox = with_mailbox(services, tmp_path)
    assert (await email_sender.drain(sender)).failed == 1
    (refused,) = await EmailMessage.filter(to_address=refused_to)
    assert refused.failed_at is not None and refused.failure_reason == "REJECTED:NO_SUCH_MAILBOX"

    to = address()
    await issue_with_email(api, services, to)
    settings = services.settings.model_copy(update={"email_max_attempts": 2})
    failing, mailbox = with_mailbox(
        dataclasses.replace(services, settings=settings), tmp_path, failure_rate=1.0
    )
    await email_sender.drain(failing)
    clock.advance(timedelta(hours=2))
    assert (await email_sender.drain(failing)).failed == 1
    (given_up,) = await EmailMessage.filter(to_address=to)
    assert given_up.failure_reason == "RETRIES_EXHAUSTED:SMTP_451_TRY_LATER"
    assert given_up.attempts == 2 and mailbox.delivered(to) == []


async def test_two_senders_at_once_send_each_message_once(services, api, tmp_path, quiet_mail):
    targets = [address() for _ in range(6)]
    for to in targets:
        await issue_with_email(api, services, to)
    shared, mailbox = with_mailbox(services, tmp_path, latency_ms=20)
    settings = shared.settings.model_copy(update={"email_batch": 2})
    shared = dataclasses.replace(shared, settings=settings)
    await asyncio.gather(
        email_sender.drain(shared, worker="host-a:1"), email_sender.drain(shared, worker="host-b:2")
    )
    assert all(len(mailbox.delivered(to)) == 1 for to in targets)
    assert mailbox.duplicates == 0  # the claims kept every message to one sender
    sent = await EmailMessage.filter(to_address__in=targets, sent_at__isnull=False).count()
    assert sent == len(targets)
