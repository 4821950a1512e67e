"""The daily lucky draw: each day's committed seed, the prizes with their odds and stock, and
every draw with its ticket and roll (so it can be verified once the seed is revealed)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.points.lucky_draw import PrizeKind


class DrawSeed(Model):
    """One per Shanghai day: `commitment` is sha256 of the seed, published before any draw."""

    id = fields.IntField(primary_key=True)
    day = fields.CharField(max_length=10, unique=True)
    seed = fields.CharField(max_length=64)
    commitment = fields.CharField(max_length=64)
    committed_at = fields.DatetimeField()

    class Meta:
        table = "draw_seed"


class DrawPrize(Model):
    """A line of the published odds table (a null `stock` is unlimited)."""

    id = fields.CharField(max_length=16, primary_key=True)
    name = fields.CharField(max_length=40)
    kind = fields.CharEnumField(PrizeKind, max_length=12)
    ref = fields.CharField(max_length=40, default="")
    weight = fields.IntField()
    stock = fields.BigIntField(null=True)
    position = fields.IntField(default=0)

    class Meta:
        table = "draw_prize"


class LuckyDraw(Model):
    id = fields.UUIDField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="lucky_draws")
    day = fields.CharField(max_length=10)
    seq = fields.IntField()
    idempotency_key = fields.CharField(max_length=64)
    ticket = fields.CharField(max_length=40)
    roll = fields.BigIntField()
    weight_total = fields.IntField()
    rolled = fields.CharField(max_length=16)
    prize = fields.CharField(max_length=16)
    prize_name = fields.CharField(max_length=40)
    points_spent = fields.BigIntField(default=0)
    at = fields.DatetimeField()

    class Meta:
        table = "lucky_draw"
        unique_together = (("subscriber", "day", "seq"), ("subscriber", "idempotency_key"))
