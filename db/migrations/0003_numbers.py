from tortoise import migrations
from tortoise.migrations import operations as ops
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('telehall', '0002_flash')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdentityQuota',
            fields=[
                ('id_digest', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('used', fields.IntField(default=0)),
            ],
            options={'table': 'identity_quota', 'app': 'telehall', 'pk_attr': 'id_digest', 'table_description': "How many numbers one resident ID holds nationwide, keyed by the ID's HMAC digest."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NumberReservation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('msisdn', fields.CharField(db_index=True, max_length=11)),
                ('holder', fields.CharField(db_index=True, max_length=80)),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('released_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'number_reservation', 'app': 'telehall', 'unique_together': (('holder', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': 'A 15-minute hold of one number by one caller (a subscriber or an anonymous client token).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PhoneNumber',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('msisdn', fields.CharField(unique=True, max_length=11)),
                ('reversed_msisdn', fields.CharField(db_index=True, max_length=11)),
                ('prefix', fields.CharField(max_length=3)),
                ('province', fields.CharField(max_length=16)),
                ('city', fields.CharField(max_length=16)),
                ('status', fields.CharField(default='AVAILABLE', max_length=12)),
                ('tags', fields.IntField(default=0)),
                ('digits', fields.IntField(default=0)),
                ('tier', fields.SmallIntField()),
                ('prestore_fen', fields.IntField()),
                ('min_monthly_fen', fields.IntField()),
                ('contract_months', fields.SmallIntField()),
                ('reserved_by', fields.CharField(null=True, max_length=80)),
                ('reserved_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'phone_number', 'app': 'telehall', 'indexes': [Index(fields=['tier', 'msisdn']), Index(fields=['province', 'tier', 'msisdn']), Index(fields=['status', 'province'])], 'pk_attr': 'id', 'table_description': 'One number that may be sold: status AVAILABLE, RESERVED or SOLD.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubscriberIdentity',
            fields=[
                ('subscriber_id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=32)),
                ('id_masked', fields.CharField(max_length=18)),
                ('id_digest', fields.CharField(db_index=True, max_length=64)),
                ('registered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'subscriber_identity', 'app': 'telehall', 'pk_attr': 'subscriber_id', 'table_description': 'The real name behind a number: the ID only masked and as its keyed digest, never in clear.'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='CampaignStats',
            options={'table': 'campaign_stats', 'app': 'telehall', 'pk_attr': 'campaign_id', 'table_description': 'Committed counts of one campaign, moved with atomic F() updates in order transactions.'},
        ),
    ]
