from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('telehall', '0004_points')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PaymentRefund',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('payment', fields.OneToOneField('telehall.Payment', source_field='payment_id', db_constraint=True, to_field='id', related_name='refund', on_delete=OnDelete.CASCADE)),
                ('amount_fen', fields.BigIntField()),
                ('reason', fields.CharField(max_length=32)),
                ('status', fields.CharField(default='REQUESTED', db_index=True, max_length=16)),
                ('provider_refund_id', fields.CharField(null=True, unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('settled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment_refund', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'Money a provider gave back for one payment (the whole amount, once): the row is written'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='FlashSale',
            name='campaign_id',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.CreateModel(
            name='CampaignStatsDelta',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign_id', fields.CharField(db_index=True, max_length=40)),
                ('orders_count', fields.IntField()),
                ('units_used', fields.BigIntField()),
                ('discount_given_fen', fields.BigIntField()),
                ('revenue_fen', fields.BigIntField()),
            ],
            options={'table': 'campaign_stats_delta', 'app': 'telehall', 'pk_attr': 'id', 'table_description': "One change of a campaign's counts, appended inside the transaction that causes it (an"},
            bases=['Model'],
        ),
    ]
