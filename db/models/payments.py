from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.payments import (
    CardStatus,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    PaymentTrigger,
)
from domain.pricing import Channel


class Payment(Model):
    """A recharge payment. Anyone may pay for any number: `payer_scope` is who asked (sub:ID,
    staff:ID or anon) and scopes the idempotency key. `amount_fen` is credited to the balance,
    `payable_fen` is what the payer is charged (promotions may lower it)."""

    id = fields.UUIDField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="payments")
    msisdn = fields.CharField(max_length=11)
    payer_scope = fields.CharField(max_length=32)
    idempotency_key = fields.CharField(max_length=64)
    fingerprint = fields.CharField(max_length=64)
    amount_fen = fields.BigIntField()
    payable_fen = fields.BigIntField()
    method = fields.CharEnumField(PaymentMethod, max_length=16)
    channel = fields.CharEnumField(Channel, max_length=8)
    trigger = fields.CharEnumField(PaymentTrigger, max_length=8, default=PaymentTrigger.MANUAL)
    status = fields.CharEnumField(PaymentStatus, max_length=8, default=PaymentStatus.CREATED)
    purpose = fields.CharEnumField(PaymentPurpose, max_length=16, default=PaymentPurpose.RECHARGE)
    reference = fields.CharField(max_length=40, null=True)  # FLASH_SALE: the reservation id
    provider_txn_id = fields.CharField(max_length=64, null=True, unique=True)
    pay_url = fields.CharField(max_length=255, null=True)
    failure_reason = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    paid_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment"
        unique_together = (("payer_scope", "idempotency_key"),)
        indexes = (("subscriber_id", "status", "paid_at"), ("status", "created_at"))


class PaymentRefund(Model):
    """Money a provider gave back for one payment (the whole amount, once): the row is written
    before the provider is asked (REQUESTED), so a crash leaves a refund to retry, never two.
    `id` is the refund request id the provider is idempotent on."""

    id = fields.UUIDField(primary_key=True)
    payment = fields.OneToOneField("telehall.Payment", related_name="refund")
    amount_fen = fields.BigIntField()
    reason = fields.CharField(max_length=32)
    status = fields.CharField(max_length=16, default="REQUESTED", db_index=True)
    provider_refund_id = fields.CharField(max_length=64, null=True, unique=True)
    failure_code = fields.CharField(max_length=40, null=True)  # the provider's last refusal
    created_at = fields.DatetimeField()
    settled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment_refund"


class RefundRetry(Model):
    """An operator asking the provider again for a refund it refused: who, when, under which
    idempotency key (unique per staff member: the same request answers once) and what the
    provider said. The audit trail of the retries."""

    id = fields.IntField(primary_key=True)
    refund = fields.ForeignKeyField("telehall.PaymentRefund", related_name="retries")
    staff_id = fields.IntField()
    actor = fields.CharField(max_length=64)
    idempotency_key = fields.CharField(max_length=64)
    outcome = fields.CharField(max_length=16)
    failure_code = fields.CharField(max_length=40, null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "refund_retry"
        unique_together = (("staff_id", "idempotency_key"),)


class RechargeCard(Model):
    """A prepaid recharge card (充值卡). Only the SHA-256 of its PIN is stored. Single use."""

    id = fields.IntField(primary_key=True)
    serial = fields.CharField(max_length=32, unique=True)
    pin_hash = fields.CharField(max_length=64, unique=True)
    face_value_fen = fields.BigIntField()
    status = fields.CharEnumField(CardStatus, max_length=8, default=CardStatus.ACTIVE)
    valid_until = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_by_msisdn = fields.CharField(max_length=11, null=True)

    class Meta:
        table = "recharge_card"


class AutoRecharge(Model):
    """Auto-recharge settings of one subscriber. `in_flight_payment_id` is set while one top-up
    is under way (a guarded update takes it), so two never run at once."""

    id = fields.IntField(primary_key=True)
    subscriber = fields.OneToOneField("telehall.Subscriber", related_name="auto_recharge")
    enabled = fields.BooleanField(default=True)
    threshold_fen = fields.BigIntField()
    amount_fen = fields.BigIntField()
    method = fields.CharEnumField(PaymentMethod, max_length=16)
    in_flight_payment_id = fields.UUIDField(null=True)
    in_flight_since = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "auto_recharge"
