from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.accounts import StaffRole, SubscriberStatus


class Subscriber(Model):
    id = fields.IntField(primary_key=True)
    msisdn = fields.CharField(max_length=11, unique=True)
    status = fields.CharEnumField(SubscriberStatus, max_length=16, default=SubscriberStatus.ACTIVE)
    real_name_verified = fields.BooleanField(default=False)
    real_name = fields.CharField(max_length=64, null=True)
    region = fields.CharField(max_length=8, default="BJ")
    plan = fields.ForeignKeyField("telehall.Plan", related_name="subscribers", null=True)
    balance_fen = fields.BigIntField(default=0)
    credit_limit_fen = fields.BigIntField(default=0)
    joined_at = fields.DatetimeField()
    puk = fields.CharField(max_length=8)
    service_password_hash = fields.CharField(max_length=255)
    on_initial_password = fields.BooleanField(default=False)
    device_5g = fields.BooleanField(default=False)
    device = fields.ForeignKeyField(
        "telehall.Device", related_name="owners", null=True, on_delete=fields.SET_NULL
    )  # the phone last bought in the hall (its 5G capability sets device_5g)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "subscriber"


class StaffUser(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(StaffRole, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_user"


class Notification(Model):
    """The SMS outbox. Every code and business notice is queued here for the gateway to send."""

    id = fields.BigIntField(primary_key=True)
    msisdn = fields.CharField(max_length=11, db_index=True)
    kind = fields.CharField(max_length=32)
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    # The sender's bookkeeping (resolvers/sms_sender.py): codes get priority 0 and jump the queue
    priority = fields.SmallIntField(default=1)
    queued_at = fields.DatetimeField(null=True, description="by the hall's clock")
    attempts = fields.SmallIntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True, description="null: due at once")
    claimed_by = fields.CharField(max_length=64, null=True)
    claimed_until = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)
    failure_reason = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "notification"
        ordering = ["id"]
