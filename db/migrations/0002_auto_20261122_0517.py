from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('telehall', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CampaignAudit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entity_type', fields.CharField(max_length=16)),
                ('entity_id', fields.CharField(db_index=True, max_length=40)),
                ('action', fields.CharField(max_length=32)),
                ('actor', fields.CharField(max_length=64)),
                ('actor_id', fields.IntField(null=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'campaign_audit', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'Every marketing change: who, when, what it was before and after (JSON, null on create).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Festival',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('name', fields.CharField(max_length=128)),
                ('description', fields.TextField(default='', unique=False)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'festival', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A shopping festival (e.g. 517 网购节) that groups campaigns.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('festival', fields.ForeignKeyField('telehall.Festival', source_field='festival_id', null=True, db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=128)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('draft', fields.BooleanField(default=False, db_index=True)),
                ('paused', fields.BooleanField(default=False)),
                ('ended_early_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('priority', fields.IntField(default=0)),
                ('capped', fields.BooleanField(default=False)),
                ('data', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('version', fields.IntField(default=1)),
                ('created_by', fields.CharField(default='', max_length=64)),
                ('updated_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'campaign', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'One campaign: `data` is the domain campaign as JSON, the other columns mirror it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CampaignRedemption',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ref', fields.CharField(db_index=True, max_length=80)),
                ('campaign', fields.ForeignKeyField('telehall.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.CASCADE)),
                ('order', fields.ForeignKeyField('telehall.Order', source_field='order_id', null=True, db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.CASCADE)),
                ('subscriber_id', fields.IntField(db_index=True)),
                ('reservation_id', fields.CharField(null=True, max_length=80)),
                ('units', fields.IntField()),
                ('discount_fen', fields.BigIntField()),
                ('revenue_fen', fields.BigIntField()),
                ('state', fields.CharField(default='CONFIRMED', db_index=True, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'campaign_redemption', 'app': 'telehall', 'unique_together': (('ref', 'campaign'),), 'pk_attr': 'id', 'table_description': 'What one order (or recharge payment) took from one campaign, named by `ref` (order:ID or'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CampaignStats',
            fields=[
                ('campaign', fields.OneToOneField('telehall.Campaign', source_field='campaign_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='stats', on_delete=OnDelete.CASCADE)),
                ('orders_count', fields.IntField(default=0)),
                ('units_used', fields.BigIntField(default=0)),
                ('discount_given_fen', fields.BigIntField(default=0)),
                ('revenue_fen', fields.BigIntField(default=0)),
            ],
            options={'table': 'campaign_stats', 'app': 'telehall', 'pk_attr': 'campaign_id', 'table_description': 'Committed counts of one campaign, moved with atomic F() updates in order transactions.'},
            bases=['Model'],
        ),
    ]
