from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads

from domain.invoices import InvoiceSource, InvoiceStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('telehall', '0011_service')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ServiceSettings',
            fields=[
                ('subscriber', fields.OneToOneField('telehall.Subscriber', source_field='subscriber_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='service_settings', on_delete=OnDelete.CASCADE)),
                ('forward_unconditional', fields.CharField(null=True, max_length=11)),
                ('forward_busy', fields.CharField(null=True, max_length=11)),
                ('forward_no_answer', fields.CharField(null=True, max_length=11)),
                ('forward_unreachable', fields.CharField(null=True, max_length=11)),
                ('call_waiting', fields.BooleanField(default=True)),
                ('caller_id_display', fields.BooleanField(default=True)),
                ('roaming', fields.BooleanField(default=False)),
                ('long_distance', fields.BooleanField(default=False)),
                ('roaming_deposit_fen', fields.BigIntField(default=0)),
                ('wlan', fields.BooleanField(default=False)),
                ('wlan_password_hash', fields.CharField(null=True, max_length=255)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'service_settings', 'app': 'telehall', 'pk_attr': 'subscriber_id', 'table_description': "A subscriber's switchable services (call forwarding and waiting, roaming, WLAN)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='RoamingDestination',
            name='data_fen_per_mb',
            field=fields.IntField(default=300),
        ),
        ops.AddField(
            model_name='RoamingDestination',
            name='sms_fen_per_message',
            field=fields.IntField(default=100),
        ),
        ops.AddField(
            model_name='RoamingDestination',
            name='voice_fen_per_minute',
            field=fields.IntField(default=299),
        ),
        ops.CreateModel(
            name='Invoice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=16)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='invoices', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharEnumField(description='BILL: BILL\nRECHARGE: RECHARGE', enum_type=InvoiceSource, max_length=8)),
                ('source_id', fields.CharField(max_length=40)),
                ('red', fields.BooleanField(default=False)),
                ('reverses', fields.ForeignKeyField('telehall.Invoice', source_field='reverses_id', null=True, db_constraint=True, to_field='id', related_name='reversals', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=InvoiceStatus.ISSUED, description='ISSUED: ISSUED\nREVERSED: REVERSED', enum_type=InvoiceStatus, max_length=8)),
                ('title', fields.CharField(max_length=100)),
                ('tax_id', fields.CharField(null=True, max_length=20)),
                ('email', fields.CharField(null=True, max_length=128)),
                ('amount_fen', fields.BigIntField()),
                ('net_fen', fields.BigIntField()),
                ('tax_fen', fields.BigIntField()),
                ('lines', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invoice', 'app': 'telehall', 'unique_together': (('source', 'source_id', 'red'),), 'pk_attr': 'id', 'table_description': 'An e-invoice for a bill or a recharge, or the red-letter reversal of one (red=True).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvoiceCounter',
            fields=[
                ('year', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_number', fields.IntField(default=0)),
            ],
            options={'table': 'invoice_counter', 'app': 'telehall', 'pk_attr': 'year', 'table_description': 'The last invoice sequence used in a year (numbers are sequential per year).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SharedGroup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('main', fields.OneToOneField('telehall.Subscriber', source_field='main_id', db_constraint=True, to_field='id', related_name='shared_group_led', on_delete=OnDelete.CASCADE)),
                ('pending_main', fields.ForeignKeyField('telehall.Subscriber', source_field='pending_main_id', null=True, db_constraint=True, to_field='id', related_name='shared_group_pending', on_delete=OnDelete.CASCADE)),
                ('pending_from', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'shared_group', 'app': 'telehall', 'pk_attr': 'id', 'table_description': "A 4G shared plan's group: the main number (on a SHARED plan) and a pending main change."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SharedMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('telehall.SharedGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('subscriber', fields.OneToOneField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='shared_membership', on_delete=OnDelete.CASCADE)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'shared_member', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A secondary number of a group. A number shares at most one plan (unique subscriber).'},
            bases=['Model'],
        ),
    ]
