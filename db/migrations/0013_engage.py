from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('telehall', '0012_account')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FanOut',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(unique=True, max_length=96)),
                ('topic', fields.CharField(max_length=16)),
                ('title', fields.CharField(max_length=128)),
                ('body', fields.TextField(unique=False)),
                ('campaign_id', fields.CharField(null=True, max_length=40)),
                ('audience', fields.JSONField(null=True, description='the campaign audience, null for anyone', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('cursor', fields.BigIntField(default=0)),
                ('created', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notify_fanout', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'One announcement being fanned out to interested subscribers, batch by batch. `cursor` is'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboxNotification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='inbox', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharField(max_length=16)),
                ('source', fields.CharField(description='what caused it, e.g. CAMPAIGN:12', max_length=96)),
                ('title', fields.CharField(max_length=128)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deliver_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sms', fields.BooleanField(default=False, description='a copy was queued in the SMS outbox')),
                ('pushed_at', fields.DatetimeField(null=True, description='published to live subscribers', auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbox_notification', 'app': 'telehall', 'unique_together': (('subscriber', 'source'),), 'indexes': [Index(fields=['subscriber_id', 'deliver_at']), Index(fields=['pushed_at', 'deliver_at'])], 'pk_attr': 'id', 'table_description': 'A notice in the app inbox. `deliver_at` is after quiet hours when the push was deferred,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotifyPreference',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.OneToOneField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='notify_preference', on_delete=OnDelete.CASCADE)),
                ('quiet_start_minute', fields.SmallIntField(default=1320)),
                ('quiet_end_minute', fields.SmallIntField(default=480)),
            ],
            options={'table': 'notify_preference', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'Quiet hours in minutes after Shanghai midnight, start inclusive, end exclusive.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Passkey',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='passkeys', on_delete=OnDelete.CASCADE)),
                ('credential_id', fields.CharField(unique=True, description='base64url', max_length=512)),
                ('public_key', fields.BinaryField(description='COSE public key')),
                ('sign_count', fields.BigIntField(default=0)),
                ('name', fields.CharField(max_length=64)),
                ('aaguid', fields.CharField(default='', max_length=36)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'passkey', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A WebAuthn credential a subscriber registered (fingerprint or face on their phone).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubscriberInterest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='interests', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharField(max_length=16)),
                ('sms', fields.BooleanField(default=False)),
                ('app', fields.BooleanField(default=True)),
            ],
            options={'table': 'subscriber_interest', 'app': 'telehall', 'unique_together': (('subscriber', 'topic'),), 'pk_attr': 'id', 'table_description': 'One topic a subscriber wants to hear about, and on which channels.'},
            bases=['Model'],
        ),
    ]
