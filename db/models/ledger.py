from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class BalanceEntry(Model):
    """Append-only: every change to a subscriber's balance, with what caused it."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="balance_entries")
    delta_fen = fields.BigIntField()
    balance_after_fen = fields.BigIntField()
    reason = fields.CharField(max_length=32)
    ref = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "balance_entry"
        ordering = ["id"]
