"""Engagement: passkeys (WebAuthn credentials), interests and their delivery preferences, the
app inbox and the fan-out runs that fill it (SMS copies go through the outbox, `notification`)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Passkey(Model):
    """A WebAuthn credential a subscriber registered (fingerprint or face on their phone)."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="passkeys")
    credential_id = fields.CharField(max_length=512, unique=True, description="base64url")
    public_key = fields.BinaryField(description="COSE public key")
    sign_count = fields.BigIntField(default=0)
    name = fields.CharField(max_length=64)
    aaguid = fields.CharField(max_length=36, default="")
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "passkey"


class SubscriberInterest(Model):
    """One topic a subscriber wants to hear about, and on which channels."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="interests")
    topic = fields.CharField(max_length=16)
    sms = fields.BooleanField(default=False)
    app = fields.BooleanField(default=True)

    class Meta:
        table = "subscriber_interest"
        unique_together = (("subscriber", "topic"),)


class NotifyPreference(Model):
    """Quiet hours in minutes after Shanghai midnight, start inclusive, end exclusive."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.OneToOneField("telehall.Subscriber", related_name="notify_preference")
    quiet_start_minute = fields.SmallIntField(default=22 * 60)
    quiet_end_minute = fields.SmallIntField(default=8 * 60)

    class Meta:
        table = "notify_preference"


class InboxNotification(Model):
    """A notice in the app inbox. `deliver_at` is after quiet hours when the push was deferred,
    the inbox and the live push show it from then on. One per (subscriber, source)."""

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="inbox")
    topic = fields.CharField(max_length=16)
    source = fields.CharField(max_length=96, description="what caused it, e.g. CAMPAIGN:12")
    title = fields.CharField(max_length=128)
    body = fields.TextField()
    created_at = fields.DatetimeField()
    deliver_at = fields.DatetimeField()
    sms = fields.BooleanField(default=False, description="a copy was queued in the SMS outbox")
    pushed_at = fields.DatetimeField(null=True, description="published to live subscribers")
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbox_notification"
        unique_together = (("subscriber", "source"),)
        indexes = (("subscriber_id", "deliver_at"), ("pushed_at", "deliver_at"))


class FanOut(Model):
    """One announcement being fanned out to interested subscribers, batch by batch. `cursor` is
    the last subscriber id done, so a retried job resumes where it stopped."""

    id = fields.BigIntField(primary_key=True)
    source = fields.CharField(max_length=96, unique=True)
    topic = fields.CharField(max_length=16)
    title = fields.CharField(max_length=128)
    body = fields.TextField()
    campaign_id = fields.CharField(max_length=40, null=True)
    audience = fields.JSONField(null=True, description="the campaign audience, null for anyone")
    cursor = fields.BigIntField(default=0)
    created = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notify_fanout"
