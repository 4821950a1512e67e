from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.allowances import AllowanceKind


class AllowanceBucket(Model):
    """What a plan month or a pack grants. Amounts in base units (DATA in KB, VOICE in minutes,
    SMS in messages). Rating draws `used` up to `total`, earliest `valid_until` first."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="allowance_buckets")
    kind = fields.CharEnumField(AllowanceKind, max_length=8)
    total = fields.BigIntField()
    used = fields.BigIntField(default=0)
    source = fields.CharField(max_length=16)  # PLAN, PACK, ADDON, GIFT
    source_id = fields.CharField(max_length=64)
    source_name = fields.CharField(max_length=64)
    valid_from = fields.DatetimeField()
    valid_until = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "allowance_bucket"
