from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [('telehall', '0014_acct')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='PhoneNumber',
            name=None,
            fields=['tier', 'msisdn'],
        ),
        ops.AddIndex(
            model_name='PhoneNumber',
            index=Index(fields=['tier', 'msisdn', 'tags', 'digits']),
        ),
    ]
