from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.billing import BillItemKind


class Bill(Model):
    """A subscriber's monthly bill, issued once per cycle by the billing run."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="bills")
    cycle = fields.CharField(max_length=7)
    plan_id = fields.CharField(max_length=32, null=True)
    plan_name = fields.CharField(max_length=64, null=True)
    total_fen = fields.BigIntField()
    balance_after_fen = fields.BigIntField(null=True)
    issued_at = fields.DatetimeField()

    class Meta:
        table = "bill"
        unique_together = (("subscriber", "cycle"),)


class BillItem(Model):
    """One line of a bill. A discount line is negative. The lines sum to the bill total."""

    id = fields.BigIntField(primary_key=True)
    bill = fields.ForeignKeyField("telehall.Bill", related_name="items")
    position = fields.IntField()
    kind = fields.CharEnumField(BillItemKind, max_length=16)
    name = fields.CharField(max_length=96)
    amount_fen = fields.BigIntField()
    member_msisdn = fields.CharField(
        max_length=11, null=True, description="a shared-plan member whose usage the main pays"
    )

    class Meta:
        table = "bill_item"
        ordering = ["position"]
