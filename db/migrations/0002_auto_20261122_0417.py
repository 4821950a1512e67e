from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.billing import BillItemKind
from domain.payments import CardStatus, PaymentMethod, PaymentStatus, PaymentTrigger
from domain.pricing import Channel
from domain.rating import DataCategory, Direction, UsageKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('telehall', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AutoRecharge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.OneToOneField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='auto_recharge', on_delete=OnDelete.CASCADE)),
                ('enabled', fields.BooleanField(default=True)),
                ('threshold_fen', fields.BigIntField()),
                ('amount_fen', fields.BigIntField()),
                ('method', fields.CharEnumField(description='ALIPAY: ALIPAY\nWECHAT: WECHAT\nBANK_CARD: BANK_CARD\nCARD_PIN: CARD_PIN', enum_type=PaymentMethod, max_length=16)),
                ('in_flight_payment_id', fields.UUIDField(null=True)),
                ('in_flight_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'auto_recharge', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'Auto-recharge settings of one subscriber. `in_flight_payment_id` is set while one top-up'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Bill',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='bills', on_delete=OnDelete.CASCADE)),
                ('cycle', fields.CharField(max_length=7)),
                ('plan_id', fields.CharField(null=True, max_length=32)),
                ('plan_name', fields.CharField(null=True, max_length=64)),
                ('total_fen', fields.BigIntField()),
                ('balance_after_fen', fields.BigIntField(null=True)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'bill', 'app': 'telehall', 'unique_together': (('subscriber', 'cycle'),), 'pk_attr': 'id', 'table_description': "A subscriber's monthly bill, issued once per cycle by the billing run."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BillItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bill', fields.ForeignKeyField('telehall.Bill', source_field='bill_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('kind', fields.CharEnumField(description='MONTHLY_FEE: MONTHLY_FEE\nPACK: PACK\nVOICE_OVERAGE: VOICE_OVERAGE\nSMS_OVERAGE: SMS_OVERAGE\nMMS: MMS\nDATA_OVERAGE: DATA_OVERAGE\nWLAN: WLAN\nVALUE_ADDED: VALUE_ADDED\nDISCOUNT: DISCOUNT', enum_type=BillItemKind, max_length=16)),
                ('name', fields.CharField(max_length=96)),
                ('amount_fen', fields.BigIntField()),
            ],
            options={'table': 'bill_item', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'One line of a bill. A discount line is negative. The lines sum to the bill total.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Payment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.CASCADE)),
                ('msisdn', fields.CharField(max_length=11)),
                ('payer_scope', fields.CharField(max_length=32)),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('amount_fen', fields.BigIntField()),
                ('payable_fen', fields.BigIntField()),
                ('method', fields.CharEnumField(description='ALIPAY: ALIPAY\nWECHAT: WECHAT\nBANK_CARD: BANK_CARD\nCARD_PIN: CARD_PIN', enum_type=PaymentMethod, max_length=16)),
                ('channel', fields.CharEnumField(description='WEB: WEB\nAPP: APP', enum_type=Channel, max_length=8)),
                ('trigger', fields.CharEnumField(default=PaymentTrigger.MANUAL, description='MANUAL: MANUAL\nAUTO: AUTO', enum_type=PaymentTrigger, max_length=8)),
                ('status', fields.CharEnumField(default=PaymentStatus.CREATED, description='CREATED: CREATED\nPAID: PAID\nFAILED: FAILED\nEXPIRED: EXPIRED', enum_type=PaymentStatus, max_length=8)),
                ('provider_txn_id', fields.CharField(null=True, unique=True, max_length=64)),
                ('pay_url', fields.CharField(null=True, max_length=255)),
                ('failure_reason', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment', 'app': 'telehall', 'unique_together': (('payer_scope', 'idempotency_key'),), 'indexes': [Index(fields=['subscriber_id', 'status', 'paid_at']), Index(fields=['status', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A recharge payment. Anyone may pay for any number: `payer_scope` is who asked (sub:ID,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RechargeCard',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('serial', fields.CharField(unique=True, max_length=32)),
                ('pin_hash', fields.CharField(unique=True, max_length=64)),
                ('face_value_fen', fields.BigIntField()),
                ('status', fields.CharEnumField(default=CardStatus.ACTIVE, description='ACTIVE: ACTIVE\nUSED: USED\nVOID: VOID', enum_type=CardStatus, max_length=8)),
                ('valid_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_by_msisdn', fields.CharField(null=True, max_length=11)),
            ],
            options={'table': 'recharge_card', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A prepaid recharge card (充值卡). Only the SHA-256 of its PIN is stored. Single use.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UsageRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=64)),
                ('fingerprint', fields.CharField(max_length=32)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='usage_records', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='VOICE: VOICE\nSMS: SMS\nMMS: MMS\nDATA: DATA\nVALUE_ADDED: VALUE_ADDED\nWLAN: WLAN', enum_type=UsageKind, max_length=12)),
                ('cycle', fields.CharField(max_length=7)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('direction', fields.CharEnumField(default=Direction.OUT, description='OUT: OUT\nIN: IN', enum_type=Direction, max_length=4)),
                ('seconds', fields.IntField(default=0)),
                ('count', fields.IntField(default=0)),
                ('bytes', fields.BigIntField(default=0)),
                ('category', fields.CharEnumField(null=True, description='VIDEO: VIDEO\nSOCIAL: SOCIAL\nMUSIC: MUSIC\nGAME: GAME\nBROWSING: BROWSING\nSHOPPING: SHOPPING\nNAVIGATION: NAVIGATION\nCLOUD: CLOUD\nOTHER: OTHER', enum_type=DataCategory, max_length=12)),
                ('counterparty', fields.CharField(null=True, max_length=24)),
                ('service_name', fields.CharField(null=True, max_length=64)),
                ('location', fields.CharField(null=True, max_length=32)),
                ('quantity', fields.BigIntField(default=0)),
                ('drawn', fields.BigIntField(default=0)),
                ('overflow', fields.BigIntField(default=0)),
                ('charge_fen', fields.BigIntField(default=0)),
                ('draws', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('rated_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'usage_record', 'app': 'telehall', 'indexes': [Index(fields=['subscriber_id', 'occurred_at']), Index(fields=['subscriber_id', 'cycle', 'kind'])], 'pk_attr': 'id', 'table_description': 'A rated detail record (详单). Keeps what was used, its charge and which buckets paid.'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='AllowanceBucket',
            index=Index(fields=['subscriber_id', 'valid_until']),
        ),
        ops.AddConstraint(
            model_name='AllowanceBucket',
            constraint=UniqueConstraint(fields=('subscriber', 'kind', 'source', 'source_id', 'valid_from'), name=None),
        ),
    ]
