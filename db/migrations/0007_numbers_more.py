from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('telehall', '0004_points')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NumberTrigram',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('gram', fields.SmallIntField()),
                ('phone_id', fields.IntField()),
            ],
            options={'table': 'number_trigram', 'app': 'telehall', 'unique_together': (('gram', 'phone_id'),), 'pk_attr': 'id', 'table_description': 'The contains index: one row per distinct 3-digit substring of a stocked number'},
            bases=['Model'],
        ),
    ]
