from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('telehall', '0006_points_more')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NumberGram',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phone_id', fields.IntField()),
            ],
            options={'table': 'number_gram', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'The contains index: one row per distinct 4-digit substring of a stocked number'},
            bases=['Model'],
        ),
    ]
