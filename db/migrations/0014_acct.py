from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('telehall', '0013_engage')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EmailMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(unique=True, description='e.g. INVOICE:<number>', max_length=64)),
                ('kind', fields.CharField(max_length=16)),
                ('to_address', fields.CharField(max_length=128)),
                ('subject', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('invoice', fields.ForeignKeyField('telehall.Invoice', source_field='invoice_id', null=True, db_constraint=True, to_field='id', related_name='emails', on_delete=OnDelete.CASCADE)),
                ('priority', fields.SmallIntField(default=1)),
                ('queued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.SmallIntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, description='null: due at once', auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=64)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failure_reason', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'email_outbox', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'The e-mail outbox: a message queued in the transaction of what it reports, sent by'},
            bases=['Model'],
        ),
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
