from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.points.ledger import EntryKind
from domain.points.mall import MallCategory, MallItemKind, RedemptionStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('telehall', '0003_numbers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='GrowthAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.OneToOneField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='growth_account', on_delete=OnDelete.CASCADE)),
                ('value', fields.BigIntField(default=0)),
            ],
            options={'table': 'growth_account', 'app': 'telehall', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GrowthClaim',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='growth_claims', on_delete=OnDelete.CASCADE)),
                ('stage', fields.IntField()),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('reward', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'growth_claim', 'app': 'telehall', 'unique_together': (('subscriber', 'stage'),), 'pk_attr': 'id', 'table_description': 'A stage reward claimed: at most one per (subscriber, stage).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GrowthEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='growth_events', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharField(unique=True, max_length=128)),
                ('value', fields.IntField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'growth_event', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'Growth value earned by one event (an order, a recharge), once per source key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MallAudit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item_id', fields.CharField(db_index=True, max_length=40)),
                ('action', fields.CharField(max_length=24)),
                ('actor', fields.CharField(max_length=64)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mall_audit', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'Every marketing change to a mall item, with who did it and what it was before.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MallItem',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('name', fields.CharField(max_length=64)),
                ('category', fields.CharEnumField(db_index=True, description='DIGITAL: DIGITAL\nHOME: HOME\nVIDEO: VIDEO\nDATA: DATA\nBILL: BILL\nLIFESTYLE: LIFESTYLE', enum_type=MallCategory, max_length=16)),
                ('kind', fields.CharEnumField(description='GOODS: GOODS\nVIDEO_MEMBERSHIP: VIDEO_MEMBERSHIP\nCOUPON: COUPON\nDATA_PACK: DATA_PACK\nBILL_CREDIT: BILL_CREDIT', enum_type=MallItemKind, max_length=20)),
                ('points_price', fields.BigIntField()),
                ('cash_price_fen', fields.BigIntField(default=0)),
                ('stock', fields.BigIntField(default=0)),
                ('per_subscriber_limit', fields.IntField(null=True)),
                ('image_url', fields.CharField(default='', max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('available_from', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('available_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('archived', fields.BooleanField(default=False)),
                ('add_on_id', fields.CharField(null=True, max_length=40)),
                ('credit_fen', fields.BigIntField(default=0)),
                ('position', fields.IntField(default=0)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'mall_item', 'app': 'telehall', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MallCode',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('telehall.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='codes', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=64)),
                ('redemption_id', fields.UUIDField(null=True, db_index=True)),
            ],
            options={'table': 'mall_code', 'app': 'telehall', 'unique_together': (('item', 'code'),), 'pk_attr': 'id', 'table_description': "One code of an item's pool (video membership, coupon): handed out to one redemption."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MallTaken',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('telehall.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='taken', on_delete=OnDelete.CASCADE)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='mall_taken', on_delete=OnDelete.CASCADE)),
                ('quantity', fields.IntField(default=0)),
            ],
            options={'table': 'mall_taken', 'app': 'telehall', 'unique_together': (('item', 'subscriber'),), 'pk_attr': 'id', 'table_description': 'Units of an item a subscriber holds (live redemptions), for the per-subscriber limit.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PointsAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.OneToOneField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='points_account', on_delete=OnDelete.CASCADE)),
                ('balance', fields.BigIntField(default=0)),
                ('owed', fields.BigIntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'points_account', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'One row per subscriber with points: the cached balance and what a clawback left owed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PointsEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='points_entries', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='EARN: EARN\nREDEEM: REDEEM\nREFUND: REFUND\nEXPIRE: EXPIRE\nCLAWBACK: CLAWBACK\nADJUST: ADJUST', enum_type=EntryKind, max_length=12)),
                ('amount', fields.BigIntField()),
                ('balance_after', fields.BigIntField()),
                ('source', fields.CharField(unique=True, max_length=128)),
                ('note', fields.CharField(default='', max_length=200)),
                ('actor', fields.CharField(null=True, max_length=64)),
                ('lot_id', fields.BigIntField(null=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'points_entry', 'app': 'telehall', 'indexes': [Index(fields=['subscriber_id', 'at'])], 'pk_attr': 'id', 'table_description': 'Append-only: one movement of points with the event it comes from.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PointsLot',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='points_lots', on_delete=OnDelete.CASCADE)),
                ('year', fields.IntField()),
                ('amount', fields.BigIntField()),
                ('remaining', fields.BigIntField()),
                ('expired', fields.BigIntField(default=0)),
                ('earned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('source', fields.CharField(max_length=128)),
            ],
            options={'table': 'points_lot', 'app': 'telehall', 'indexes': [Index(fields=['subscriber_id', 'expires_at'])], 'pk_attr': 'id', 'table_description': 'Points earned together: they expire together at `expires_at`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PointsAllocation',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('telehall.PointsEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='allocations', on_delete=OnDelete.CASCADE)),
                ('lot', fields.ForeignKeyField('telehall.PointsLot', source_field='lot_id', db_constraint=True, to_field='id', related_name='allocations', on_delete=OnDelete.CASCADE)),
                ('points', fields.BigIntField()),
            ],
            options={'table': 'points_allocation', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'How many points one entry took from (or gave back to) one lot.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PointsReminder',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='points_reminders', on_delete=OnDelete.CASCADE)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('days_before', fields.IntField()),
                ('points', fields.BigIntField()),
                ('queued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'points_reminder', 'app': 'telehall', 'unique_together': (('subscriber', 'expires_at', 'days_before'),), 'pk_attr': 'id', 'table_description': 'An expiry reminder queued once per (subscriber, expiry instant, days before).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Redemption',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('telehall.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.CASCADE)),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('fingerprint', fields.CharField(max_length=128)),
                ('quantity', fields.IntField()),
                ('points_spent', fields.BigIntField()),
                ('cash_fen', fields.BigIntField(default=0)),
                ('status', fields.CharEnumField(description='ORDERED: ORDERED\nSHIPPED: SHIPPED\nDELIVERED: DELIVERED\nCOMPLETED: COMPLETED\nCANCELLED: CANCELLED', enum_type=RedemptionStatus, max_length=20)),
                ('shipping_address', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('codes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('tracking_number', fields.CharField(null=True, max_length=40)),
                ('payment_id', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'redemption', 'app': 'telehall', 'unique_together': (('subscriber', 'idempotency_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='CampaignStats',
            options={'table': 'campaign_stats', 'app': 'telehall', 'pk_attr': 'campaign_id', 'table_description': 'Committed counts of one campaign, moved with atomic F() updates in order transactions.'},
        ),
    ]
