from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('telehall', '0013_engage')]

    initial = False

    operations = [
        ops.AddField(
            model_name='BillItem',
            name='member_msisdn',
            field=fields.CharField(null=True, description='a shared-plan member whose usage the main pays', max_length=11),
        ),
        ops.AddField(
            model_name='UsageRecord',
            name='payer',
            field=fields.ForeignKeyField('telehall.Subscriber', source_field='payer_id', null=True, db_constraint=True, to_field='id', related_name='usage_paid', on_delete=OnDelete.CASCADE),
        ),
        ops.AddIndex(
            model_name='UsageRecord',
            index=Index(fields=['payer_id', 'cycle']),
        ),
    ]
