from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class SharedGroup(Model):
    """A 4G shared plan's group: the main number (on a SHARED plan) and a pending main change."""

    id = fields.IntField(primary_key=True)
    main = fields.OneToOneField("telehall.Subscriber", related_name="shared_group_led")
    pending_main = fields.ForeignKeyField(
        "telehall.Subscriber", related_name="shared_group_pending", null=True
    )
    pending_from = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "shared_group"


class SharedMember(Model):
    """A secondary number of a group. A number shares at most one plan (unique subscriber)."""

    id = fields.IntField(primary_key=True)
    group = fields.ForeignKeyField("telehall.SharedGroup", related_name="members")
    subscriber = fields.OneToOneField("telehall.Subscriber", related_name="shared_membership")
    joined_at = fields.DatetimeField()

    class Meta:
        table = "shared_member"
