from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('telehall', '0004_points')]

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
    ]
