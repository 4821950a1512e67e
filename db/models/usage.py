from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.allowances import AllowanceKind
from domain.rating import DataCategory, Direction, UsageKind


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
    # What granted it, once per kind: PLAN:<cycle> or ORDER:<order id>; a replay cannot grant twice.
    grant = fields.CharField(max_length=64, null=True)
    scope = fields.CharField(max_length=64, null=True)  # APP:<app> or ROAM:<zone>, else any use
    valid_from = fields.DatetimeField()
    valid_until = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "allowance_bucket"
        unique_together = (("subscriber", "kind", "grant"),)
        indexes = (("subscriber_id", "valid_until"),)


class UsageRecord(Model):
    """A rated detail record (详单). Keeps what was used, its charge and which buckets paid.
    Idempotent by `event_id` (the mediation system's id)."""

    id = fields.BigIntField(primary_key=True)
    event_id = fields.CharField(max_length=64, unique=True)
    fingerprint = fields.CharField(max_length=32)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="usage_records")
    kind = fields.CharEnumField(UsageKind, max_length=12)
    cycle = fields.CharField(max_length=7)
    occurred_at = fields.DatetimeField()
    direction = fields.CharEnumField(Direction, max_length=4, default=Direction.OUT)
    seconds = fields.IntField(default=0)
    count = fields.IntField(default=0)
    bytes = fields.BigIntField(default=0)
    category = fields.CharEnumField(DataCategory, max_length=12, null=True)
    counterparty = fields.CharField(max_length=24, null=True)
    service_name = fields.CharField(max_length=64, null=True)
    location = fields.CharField(max_length=32, null=True)
    roaming_zone = fields.CharField(max_length=16, null=True)
    quantity = fields.BigIntField(default=0)  # billable base units: minutes, messages or KB
    drawn = fields.BigIntField(default=0)  # of which from allowance buckets
    overflow = fields.BigIntField(default=0)  # of which beyond allowances
    charge_fen = fields.BigIntField(default=0)
    draws = fields.JSONField(default=list)  # bucketId, amount, source, sourceName per bucket
    # the shared plan's main number that paid the charge (a member's usage), null: the subscriber
    payer = fields.ForeignKeyField("telehall.Subscriber", related_name="usage_paid", null=True)
    rated_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "usage_record"
        indexes = (
            ("subscriber_id", "occurred_at"),
            ("subscriber_id", "cycle", "kind"),
            ("payer_id", "cycle"),
        )
