from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("telehall", "0004_points")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Redemption",
            name="pay_url",
            field=fields.CharField(null=True, max_length=255),
        ),
    ]
