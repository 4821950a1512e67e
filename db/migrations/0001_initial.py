from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.accounts import StaffRole, SubscriberStatus
from domain.allowances import AllowanceKind
from domain.orders import OrderKind, OrderStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('msisdn', fields.CharField(db_index=True, max_length=11)),
                ('kind', fields.CharField(max_length=32)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'The SMS outbox. Every code and business notice is queued here for the gateway to send.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Plan',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('name', fields.CharField(max_length=64)),
                ('monthly_fee_fen', fields.IntField()),
                ('data_mb', fields.IntField(default=0)),
                ('voice_minutes', fields.IntField(default=0)),
                ('sms_count', fields.IntField(default=0)),
                ('requires_5g', fields.BooleanField(default=False)),
                ('active', fields.BooleanField(default=True)),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'plan', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A tariff plan. The fee and allowances are what a month of it includes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffUser',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('password_hash', fields.CharField(max_length=255)),
                ('role', fields.CharEnumField(description='MARKETING: MARKETING\nOPERATOR: OPERATOR\nADMIN: ADMIN', enum_type=StaffRole, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_user', 'app': 'telehall', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Subscriber',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('msisdn', fields.CharField(unique=True, max_length=11)),
                ('status', fields.CharEnumField(default=SubscriberStatus.ACTIVE, description='ACTIVE: ACTIVE\nSUSPENDED: SUSPENDED\nCLOSED: CLOSED', enum_type=SubscriberStatus, max_length=16)),
                ('real_name_verified', fields.BooleanField(default=False)),
                ('real_name', fields.CharField(null=True, max_length=64)),
                ('region', fields.CharField(default='BJ', max_length=8)),
                ('plan', fields.ForeignKeyField('telehall.Plan', source_field='plan_id', null=True, db_constraint=True, to_field='id', related_name='subscribers', on_delete=OnDelete.CASCADE)),
                ('balance_fen', fields.BigIntField(default=0)),
                ('credit_limit_fen', fields.BigIntField(default=0)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('puk', fields.CharField(max_length=8)),
                ('service_password_hash', fields.CharField(max_length=255)),
                ('on_initial_password', fields.BooleanField(default=False)),
                ('device_5g', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'subscriber', 'app': 'telehall', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AllowanceBucket',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='allowance_buckets', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='DATA: DATA\nVOICE: VOICE\nSMS: SMS', enum_type=AllowanceKind, max_length=8)),
                ('total', fields.BigIntField()),
                ('used', fields.BigIntField(default=0)),
                ('source', fields.CharField(max_length=16)),
                ('source_id', fields.CharField(max_length=64)),
                ('source_name', fields.CharField(max_length=64)),
                ('valid_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'allowance_bucket', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'What a plan month or a pack grants. Amounts in base units (DATA in KB, VOICE in minutes,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BalanceEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='balance_entries', on_delete=OnDelete.CASCADE)),
                ('delta_fen', fields.BigIntField()),
                ('balance_after_fen', fields.BigIntField()),
                ('reason', fields.CharField(max_length=32)),
                ('ref', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'balance_entry', 'app': 'telehall', 'pk_attr': 'id', 'table_description': "Append-only: every change to a subscriber's balance, with what caused it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='BUNDLE: BUNDLE\nPLAN_CHANGE: PLAN_CHANGE\nPACK_PURCHASE: PACK_PURCHASE\nRECHARGE: RECHARGE\nFLASH_SALE: FLASH_SALE\nPOINTS_REDEMPTION: POINTS_REDEMPTION\nNUMBER_PURCHASE: NUMBER_PURCHASE', enum_type=OrderKind, max_length=24)),
                ('status', fields.CharEnumField(description='PENDING_PAYMENT: PENDING_PAYMENT\nSCHEDULED: SCHEDULED\nCOMPLETED: COMPLETED\nSUPERSEDED: SUPERSEDED\nCANCELLED: CANCELLED\nEXPIRED: EXPIRED\nFAILED: FAILED', enum_type=OrderStatus, max_length=24)),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('list_price_fen', fields.BigIntField(default=0)),
                ('final_price_fen', fields.BigIntField(default=0)),
                ('pricing', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('effective_from', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'order', 'app': 'telehall', 'unique_together': (('subscriber', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': 'Every business operation (业务办理) a subscriber does is one order, priced by a quote.'},
            bases=['Model'],
        ),
    ]
