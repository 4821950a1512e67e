from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.flash.model import ItemKind, ReservationStatus
from domain.payments import PaymentPurpose
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('telehall', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Device',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('brand', fields.CharField(max_length=32)),
                ('model', fields.CharField(max_length=64)),
                ('is_5g', fields.BooleanField(default=False)),
                ('list_price_fen', fields.BigIntField()),
                ('stock', fields.IntField(default=0)),
                ('images', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('accessory', fields.BooleanField(default=False)),
                ('active', fields.BooleanField(default=True)),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'device', 'app': 'telehall', 'pk_attr': 'id', 'table_description': "A phone or accessory (手机, 配件) of the hall's catalog."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FlashSale',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('name', fields.CharField(max_length=128)),
                ('item_kind', fields.CharEnumField(description='PLAN: PLAN\nPACK: PACK\nDEVICE: DEVICE\nMALL_ITEM: MALL_ITEM', enum_type=ItemKind, max_length=16)),
                ('item_id', fields.CharField(max_length=64)),
                ('sale_price_fen', fields.BigIntField()),
                ('units_total', fields.IntField()),
                ('units_taken', fields.IntField(default=0)),
                ('per_subscriber_limit', fields.IntField()),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('pay_within_seconds', fields.IntField()),
                ('booking_opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('priority_minutes', fields.IntField(default=0)),
                ('cancelled', fields.BooleanField(default=False)),
                ('version', fields.IntField(default=1)),
                ('created_by', fields.CharField(max_length=64)),
                ('updated_by', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'flash_sale', 'app': 'telehall', 'pk_attr': 'id', 'table_description': '`units_taken` counts held and paid units: a guarded update never lets it pass'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FlashBooking',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sale', fields.ForeignKeyField('telehall.FlashSale', source_field='sale_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.CASCADE)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='flash_bookings', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'flash_booking', 'app': 'telehall', 'unique_together': (('sale', 'subscriber'),), 'pk_attr': 'id', 'table_description': 'A subscriber booked (预约) the sale: they may buy during its priority minutes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FlashReservation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('sale', fields.ForeignKeyField('telehall.FlashSale', source_field='sale_id', db_constraint=True, to_field='id', related_name='reservations', on_delete=OnDelete.CASCADE)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='flash_reservations', on_delete=OnDelete.CASCADE)),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('quantity', fields.IntField()),
                ('units', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('pay_by', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(db_index=True, description='HELD: HELD\nPAID: PAID\nEXPIRED: EXPIRED\nRELEASED: RELEASED', enum_type=ReservationStatus, max_length=16)),
                ('shipping_address', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('order_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'flash_reservation', 'app': 'telehall', 'unique_together': (('sale', 'subscriber', 'idempotency_key'),), 'indexes': [Index(fields=['sale_id', 'status', 'pay_by'])], 'pk_attr': 'id', 'table_description': 'Units taken by one buy request, idempotent on (sale, subscriber, idempotency key).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FlashSaleStat',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sale', fields.ForeignKeyField('telehall.FlashSale', source_field='sale_id', db_constraint=True, to_field='id', related_name='stats', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=24)),
                ('count', fields.BigIntField(default=0)),
            ],
            options={'table': 'flash_sale_stat', 'app': 'telehall', 'unique_together': (('sale', 'code'),), 'pk_attr': 'id', 'table_description': 'Answers to buy attempts, counted in Redis and added here in batches.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FlashUnit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sale', fields.ForeignKeyField('telehall.FlashSale', source_field='sale_id', db_constraint=True, to_field='id', related_name='units', on_delete=OnDelete.CASCADE)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='flash_units', on_delete=OnDelete.CASCADE)),
                ('unit_no', fields.IntField()),
                ('reservation', fields.ForeignKeyField('telehall.FlashReservation', source_field='reservation_id', db_constraint=True, to_field='id', related_name='unit_rows', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'flash_unit', 'app': 'telehall', 'unique_together': (('sale', 'subscriber', 'unit_no'),), 'pk_attr': 'id', 'table_description': 'One held or paid unit: the unique key keeps a subscriber within the limit in the'},
            bases=['Model'],
        ),
        # No AlterField for the new OrderStatus / PaymentStatus values: they only change the
        # columns' descriptions, and on SQLite an AlterField rebuilds the table without its
        # unique_together indexes (the idempotency keys of orders and payments).
        ops.AddField(
            model_name='Payment',
            name='purpose',
            field=fields.CharEnumField(default=PaymentPurpose.RECHARGE, description='RECHARGE: RECHARGE\nFLASH_SALE: FLASH_SALE', enum_type=PaymentPurpose, max_length=16),
        ),
        ops.AddField(
            model_name='Payment',
            name='reference',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.AddField(
            model_name='Subscriber',
            name='device',
            field=fields.ForeignKeyField('telehall.Device', source_field='device_id', null=True, db_constraint=True, to_field='id', related_name='owners', on_delete=OnDelete.SET_NULL),
        ),
    ]
