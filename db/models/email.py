from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class EmailMessage(Model):
    """The e-mail outbox: a message queued in the transaction of what it reports, sent by
    resolvers/email_sender.py (the same bookkeeping columns as the SMS outbox). One message per
    `source`, so nothing is queued twice."""

    id = fields.BigIntField(primary_key=True)
    source = fields.CharField(max_length=64, unique=True, description="e.g. INVOICE:<number>")
    kind = fields.CharField(max_length=16)
    to_address = fields.CharField(max_length=128)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    invoice = fields.ForeignKeyField("telehall.Invoice", related_name="emails", null=True)
    priority = fields.SmallIntField(default=1)
    queued_at = fields.DatetimeField()
    attempts = fields.SmallIntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True, description="null: due at once")
    claimed_by = fields.CharField(max_length=64, null=True)
    claimed_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)
    failure_reason = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "email_outbox"
