from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.catalog import AddOnKind, PackKind, PlanKind, ValidityKind


class Plan(Model):
    """A tariff plan, or a combo a subscriber composed (kind COMBO, unlisted). The fee and
    allowances are what a month of it includes. Subscribers point at one of these rows either way,
    so billing, allowances and recommendations never need to tell a combo from a plan."""

    id = fields.CharField(max_length=32, primary_key=True)
    kind = fields.CharEnumField(PlanKind, max_length=8, default=PlanKind.PLAN)
    name = fields.CharField(max_length=128)
    description = fields.CharField(max_length=255, default="")
    monthly_fee_fen = fields.IntField()
    data_mb = fields.IntField(default=0)
    voice_minutes = fields.IntField(default=0)
    sms_count = fields.IntField(default=0)
    requires_5g = fields.BooleanField(default=False)
    speed_cap_after_mb = fields.IntField(null=True)  # unlimited plans slow down past this
    capped_speed_kbps = fields.IntField(null=True)
    components = fields.JSONField(default=list)  # pack ids of a combo, canonical order
    listed = fields.BooleanField(default=True)  # shown in the catalog
    active = fields.BooleanField(default=True)  # may be ordered
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "plan"
        ordering = ["sort_order", "id"]


class Pack(Model):
    """A component of the 4G national combo, billed monthly. `amount` is MB for DATA, minutes
    for VOICE, messages for SMS and 0 for VAS."""

    id = fields.CharField(max_length=32, primary_key=True)
    kind = fields.CharEnumField(PackKind, max_length=8)
    name = fields.CharField(max_length=64)
    description = fields.CharField(max_length=255, default="")
    amount = fields.IntField(default=0)
    price_fen = fields.IntField()
    active = fields.BooleanField(default=True)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "pack"
        ordering = ["sort_order", "id"]


class RoamingDestination(Model):
    """A roaming zone (港澳台, 日韩, 欧洲...) and the countries or regions it covers."""

    code = fields.CharField(max_length=16, primary_key=True)
    name = fields.CharField(max_length=64)
    countries = fields.JSONField(default=list)  # [{"code": "JP", "name": "日本"}, ...]
    # roaming rates beyond a pack, the zone's row of the rate table (domain.rating.RoamingRate)
    data_fen_per_mb = fields.IntField(default=300)
    voice_fen_per_minute = fields.IntField(default=299)
    sms_fen_per_message = fields.IntField(default=100)
    active = fields.BooleanField(default=True)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "roaming_destination"
        ordering = ["sort_order", "code"]


class AddOn(Model):
    """A pack bought once that takes effect at once: 7-day, month-end and half-year data packs,
    directional video packs (one app's traffic only) and roaming packs for one destination."""

    id = fields.CharField(max_length=32, primary_key=True)
    kind = fields.CharEnumField(AddOnKind, max_length=24)
    name = fields.CharField(max_length=64)
    description = fields.CharField(max_length=255, default="")
    price_fen = fields.IntField()
    data_mb = fields.IntField(default=0)
    voice_minutes = fields.IntField(default=0)
    sms_count = fields.IntField(default=0)
    validity_kind = fields.CharEnumField(ValidityKind, max_length=16)
    validity_length = fields.IntField(default=0)
    app = fields.CharField(max_length=32, null=True)  # directional packs: whose traffic
    destination = fields.ForeignKeyField(
        "telehall.RoamingDestination", related_name="add_ons", null=True
    )
    active = fields.BooleanField(default=True)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "add_on"
        ordering = ["sort_order", "id"]
