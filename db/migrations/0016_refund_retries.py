from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('telehall', '0015_number_search_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RefundRetry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('refund', fields.ForeignKeyField('telehall.PaymentRefund', source_field='refund_id', db_constraint=True, to_field='id', related_name='retries', on_delete=OnDelete.CASCADE)),
                ('staff_id', fields.IntField()),
                ('actor', fields.CharField(max_length=64)),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('outcome', fields.CharField(max_length=16)),
                ('failure_code', fields.CharField(null=True, max_length=40)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refund_retry', 'app': 'telehall', 'unique_together': (('staff_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': 'An operator asking the provider again for a refund it refused: who, when, under which'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='PaymentRefund',
            name='failure_code',
            field=fields.CharField(null=True, max_length=40),
        ),
    ]
