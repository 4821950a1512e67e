from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ServiceSettings(Model):
    """A subscriber's switchable services (call forwarding and waiting, roaming, WLAN).
    A number with no row has the defaults of domain.account_services.ServiceState."""

    subscriber = fields.OneToOneField(
        "telehall.Subscriber", related_name="service_settings", primary_key=True
    )
    forward_unconditional = fields.CharField(max_length=11, null=True)
    forward_busy = fields.CharField(max_length=11, null=True)
    forward_no_answer = fields.CharField(max_length=11, null=True)
    forward_unreachable = fields.CharField(max_length=11, null=True)
    call_waiting = fields.BooleanField(default=True)
    caller_id_display = fields.BooleanField(default=True)
    roaming = fields.BooleanField(default=False)
    long_distance = fields.BooleanField(default=False)
    roaming_deposit_fen = fields.BigIntField(default=0)
    wlan = fields.BooleanField(default=False)
    wlan_password_hash = fields.CharField(max_length=255, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service_settings"
