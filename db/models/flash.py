"""Devices sold in the hall, flash sales, their bookings, reservations (one row per taken unit
number as well) and counted statistics. The database is the source of truth of flash-sale stock:
Redis is rebuilt from these rows."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.flash.model import ItemKind, ReservationStatus


class Device(Model):
    """A phone or accessory (手机, 配件) of the hall's catalog."""

    id = fields.CharField(max_length=32, primary_key=True)
    brand = fields.CharField(max_length=32)
    model = fields.CharField(max_length=64)
    is_5g = fields.BooleanField(default=False)
    list_price_fen = fields.BigIntField()
    stock = fields.IntField(default=0)
    images = fields.JSONField(default=list)
    accessory = fields.BooleanField(default=False)
    active = fields.BooleanField(default=True)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "device"
        ordering = ["sort_order", "id"]


class FlashSale(Model):
    """What is sold, how many, to whom, when. The units taken are its `FlashUnit` rows."""

    id = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=128)
    item_kind = fields.CharEnumField(ItemKind, max_length=16)
    item_id = fields.CharField(max_length=64)
    sale_price_fen = fields.BigIntField()
    # priced by this campaign (the promotions engine) instead of sale_price_fen, when set
    campaign_id = fields.CharField(max_length=40, null=True)
    units_total = fields.IntField()
    per_subscriber_limit = fields.IntField()
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField(db_index=True)
    pay_within_seconds = fields.IntField()
    booking_opens_at = fields.DatetimeField(null=True)
    priority_minutes = fields.IntField(default=0)
    cancelled = fields.BooleanField(default=False)
    version = fields.IntField(default=1)
    created_by = fields.CharField(max_length=64)
    updated_by = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "flash_sale"


class FlashBooking(Model):
    """A subscriber booked (预约) the sale: they may buy during its priority minutes."""

    id = fields.BigIntField(primary_key=True)
    sale = fields.ForeignKeyField("telehall.FlashSale", related_name="bookings")
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="flash_bookings")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "flash_booking"
        unique_together = (("sale", "subscriber"),)


class FlashReservation(Model):
    """Units taken by one buy request, idempotent on (sale, subscriber, idempotency key)."""

    id = fields.UUIDField(primary_key=True)
    sale = fields.ForeignKeyField("telehall.FlashSale", related_name="reservations")
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="flash_reservations")
    idempotency_key = fields.CharField(max_length=64)
    quantity = fields.IntField()
    units = fields.JSONField(default=list)  # the subscriber's unit numbers
    pay_by = fields.DatetimeField()
    status = fields.CharEnumField(ReservationStatus, max_length=16, db_index=True)
    shipping_address = fields.JSONField(null=True)
    order_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "flash_reservation"
        unique_together = (("sale", "subscriber", "idempotency_key"),)
        indexes = (("sale_id", "status", "pay_by"),)


class FlashUnit(Model):
    """One held or paid unit, deleted when its reservation goes back to stock. The sale's unit
    number is unique and (a trigger) within 1..units_total: the database itself never holds
    more units than the sale has, with no shared counter row. The subscriber's slot is unique
    per subscriber and within 1..limit: nobody holds more than the limit."""

    id = fields.BigIntField(primary_key=True)
    sale = fields.ForeignKeyField("telehall.FlashSale", related_name="units")
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="flash_units")
    unit_no = fields.IntField()
    slot = fields.IntField()
    reservation = fields.ForeignKeyField("telehall.FlashReservation", related_name="unit_rows")

    class Meta:
        table = "flash_unit"
        unique_together = (("sale", "unit_no"), ("sale", "subscriber", "slot"))


class FlashSaleStat(Model):
    """Answers to buy attempts, counted in Redis and added here in batches."""

    id = fields.BigIntField(primary_key=True)
    sale = fields.ForeignKeyField("telehall.FlashSale", related_name="stats")
    code = fields.CharField(max_length=24)
    count = fields.BigIntField(default=0)

    class Meta:
        table = "flash_sale_stat"
        unique_together = (("sale", "code"),)
