"""The points ledger and the points mall.

`PointsAccount.balance` is the cached sum of the lots' `remaining`, moved only together with
them by `db.repositories.points` (guarded updates). Entries are append-only, one per source key.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.points.ledger import EntryKind
from domain.points.mall import MallCategory, MallItemKind, RedemptionStatus


class PointsAccount(Model):
    """One row per subscriber with points: the cached balance and what a clawback left owed."""

    id = fields.IntField(primary_key=True)
    subscriber = fields.OneToOneField("telehall.Subscriber", related_name="points_account")
    balance = fields.BigIntField(default=0)
    owed = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "points_account"


class PointsLot(Model):
    """Points earned together: they expire together at `expires_at`."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="points_lots")
    year = fields.IntField()
    amount = fields.BigIntField()
    remaining = fields.BigIntField()
    expired = fields.BigIntField(default=0)
    earned_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    source = fields.CharField(max_length=128)

    class Meta:
        table = "points_lot"
        indexes = (("subscriber_id", "expires_at"),)


class PointsEntry(Model):
    """Append-only: one movement of points with the event it comes from."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="points_entries")
    kind = fields.CharEnumField(EntryKind, max_length=12)
    amount = fields.BigIntField()
    balance_after = fields.BigIntField()
    source = fields.CharField(max_length=128, unique=True)
    note = fields.CharField(max_length=200, default="")
    actor = fields.CharField(max_length=64, null=True)
    lot_id = fields.BigIntField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "points_entry"
        indexes = (("subscriber_id", "at"),)


class PointsAllocation(Model):
    """How many points one entry took from (or gave back to) one lot."""

    id = fields.BigIntField(primary_key=True)
    entry = fields.ForeignKeyField("telehall.PointsEntry", related_name="allocations")
    lot = fields.ForeignKeyField("telehall.PointsLot", related_name="allocations")
    points = fields.BigIntField()

    class Meta:
        table = "points_allocation"


class PointsReminder(Model):
    """An expiry reminder queued once per (subscriber, expiry instant, days before)."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="points_reminders")
    expires_at = fields.DatetimeField()
    days_before = fields.IntField()
    points = fields.BigIntField()
    queued_at = fields.DatetimeField()

    class Meta:
        table = "points_reminder"
        unique_together = (("subscriber", "expires_at", "days_before"),)


class MallItem(Model):
    id = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=64)
    category = fields.CharEnumField(MallCategory, max_length=16, db_index=True)
    kind = fields.CharEnumField(MallItemKind, max_length=20)
    points_price = fields.BigIntField()
    cash_price_fen = fields.BigIntField(default=0)
    stock = fields.BigIntField(default=0)
    per_subscriber_limit = fields.IntField(null=True)
    image_url = fields.CharField(max_length=200, default="")
    description = fields.TextField(default="")
    available_from = fields.DatetimeField(null=True)
    available_until = fields.DatetimeField(null=True)
    archived = fields.BooleanField(default=False)
    add_on_id = fields.CharField(max_length=40, null=True)
    credit_fen = fields.BigIntField(default=0)
    position = fields.IntField(default=0)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "mall_item"


class MallCode(Model):
    """One code of an item's pool (video membership, coupon): handed out to one redemption."""

    id = fields.BigIntField(primary_key=True)
    item = fields.ForeignKeyField("telehall.MallItem", related_name="codes")
    code = fields.CharField(max_length=64)
    redemption_id = fields.UUIDField(null=True, db_index=True)

    class Meta:
        table = "mall_code"
        unique_together = (("item", "code"),)


class MallTaken(Model):
    """Units of an item a subscriber holds (live redemptions), for the per-subscriber limit."""

    id = fields.BigIntField(primary_key=True)
    item = fields.ForeignKeyField("telehall.MallItem", related_name="taken")
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="mall_taken")
    quantity = fields.IntField(default=0)

    class Meta:
        table = "mall_taken"
        unique_together = (("item", "subscriber"),)


class Redemption(Model):
    id = fields.UUIDField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="redemptions")
    item = fields.ForeignKeyField("telehall.MallItem", related_name="redemptions")
    idempotency_key = fields.CharField(max_length=64)
    fingerprint = fields.CharField(max_length=128)
    quantity = fields.IntField()
    points_spent = fields.BigIntField()
    cash_fen = fields.BigIntField(default=0)
    status = fields.CharEnumField(RedemptionStatus, max_length=20)
    shipping_address = fields.JSONField(null=True)
    codes = fields.JSONField(default=list)
    tracking_number = fields.CharField(max_length=40, null=True)
    payment_id = fields.CharField(max_length=64, null=True)
    pay_url = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "redemption"
        unique_together = (("subscriber", "idempotency_key"),)


class MallAudit(Model):
    """Every marketing change to a mall item, with who did it and what it was before."""

    id = fields.BigIntField(primary_key=True)
    item_id = fields.CharField(max_length=40, db_index=True)
    action = fields.CharField(max_length=24)
    actor = fields.CharField(max_length=64)
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "mall_audit"
        ordering = ["id"]
