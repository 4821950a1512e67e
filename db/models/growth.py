"""The growth tree (沃之树): growth value earned and the stage rewards claimed."""

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
