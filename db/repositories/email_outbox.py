"""The e-mail outbox: queued inside the transaction of what it reports (an issued invoice), one
message per source (the unique `source`), claimed and marked by the SMS outbox's machinery."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.email import EmailMessage
from db.repositories.outbox import OutboxTable
from domain.calendar import as_utc

EMAIL_OUTBOX = OutboxTable(EmailMessage, "email_outbox")


async def queue(
    conn: BaseDBAsyncClient,
    *,
    source: str,
    kind: str,
    to: str,
    subject: str,
    body: str,
    at: datetime,
    invoice_id: int | None = None,
) -> EmailMessage:
    return await EmailMessage.create(
        source=source,
        kind=kind,
        to_address=to,
        subject=subject,
        body=body,
        invoice_id=invoice_id,
        queued_at=as_utc(at),
        using_db=conn,
    )


async def of_source(source: str) -> EmailMessage | None:
    return await EmailMessage.get_or_none(source=source)
