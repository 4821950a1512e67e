"""A number hold records the new line its purchase order belongs to, so that a replay of the
purchase finds the order even after that line was retired for a later buyer of the number."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("telehall", "0017_flash_unit_numbers")]

    initial = False

    operations = [
        ops.AddField(
            model_name="NumberReservation",
            name="line_id",
            field=fields.IntField(null=True),
        ),
    ]
