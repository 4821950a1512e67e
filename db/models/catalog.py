from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Plan(Model):
    """A tariff plan. The fee and allowances are what a month of it includes."""

    id = fields.CharField(max_length=32, primary_key=True)
    name = fields.CharField(max_length=64)
    monthly_fee_fen = fields.IntField()
    data_mb = fields.IntField(default=0)
    voice_minutes = fields.IntField(default=0)
    sms_count = fields.IntField(default=0)
    requires_5g = fields.BooleanField(default=False)
    active = fields.BooleanField(default=True)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "plan"
        ordering = ["sort_order", "id"]
