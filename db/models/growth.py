"""The growth tree (沃之树): growth value, stage rewards claimed, and the daily lucky draw."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class GrowthEvent(Model):
    """Growth value earned by one event (an order, a recharge), once per source key."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="growth_events")
    source = fields.CharField(max_length=128, unique=True)
    value = fields.IntField()
    at = fields.DatetimeField()

    class Meta:
        table = "growth_event"


class GrowthAccount(Model):
    id = fields.IntField(primary_key=True)
    subscriber = fields.OneToOneField("telehall.Subscriber", related_name="growth_account")
    value = fields.BigIntField(default=0)

    class Meta:
        table = "growth_account"


class GrowthClaim(Model):
    """A stage reward claimed: at most one per (subscriber, stage)."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="growth_claims")
    stage = fields.IntField()
    idempotency_key = fields.CharField(max_length=64)
    reward = fields.CharField(max_length=64)
    at = fields.DatetimeField()

    class Meta:
        table = "growth_claim"
        unique_together = (("subscriber", "stage"),)


class DrawDay(Model):
    """One Shanghai day of the lucky draw: the seed, committed by its sha256 before any draw."""

    day = fields.CharField(max_length=10, primary_key=True)
    seed = fields.CharField(max_length=64)
    commitment = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()

    class Meta:
        table = "draw_day"


class DrawPrize(Model):
    id = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=64)
    weight = fields.IntField()
    stock = fields.IntField(default=0)
    points = fields.IntField(default=0)

    class Meta:
        table = "draw_prize"


class DrawEntry(Model):
    """A subscriber's one draw of a day: the roll and what it won (none when out of stock)."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="draws")
    day = fields.CharField(max_length=10)
    roll = fields.IntField()
    prize_id = fields.CharField(max_length=40, null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "draw_entry"
        unique_together = (("subscriber", "day"),)
