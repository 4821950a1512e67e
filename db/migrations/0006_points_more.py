from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.points.lucky_draw import PrizeKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('telehall', '0005_flash_more')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DrawPrize',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('name', fields.CharField(max_length=40)),
                ('kind', fields.CharEnumField(description='POINTS: POINTS\nDATA_PACK: DATA_PACK\nNOTHING: NOTHING', enum_type=PrizeKind, max_length=12)),
                ('ref', fields.CharField(default='', max_length=40)),
                ('weight', fields.IntField()),
                ('stock', fields.BigIntField(null=True)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'draw_prize', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A line of the published odds table (a null `stock` is unlimited).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DrawSeed',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.CharField(unique=True, max_length=10)),
                ('seed', fields.CharField(max_length=64)),
                ('commitment', fields.CharField(max_length=64)),
                ('committed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'draw_seed', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'One per Shanghai day: `commitment` is sha256 of the seed, published before any draw.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LuckyDraw',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='lucky_draws', on_delete=OnDelete.CASCADE)),
                ('day', fields.CharField(max_length=10)),
                ('seq', fields.IntField()),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('ticket', fields.CharField(max_length=40)),
                ('roll', fields.BigIntField()),
                ('weight_total', fields.IntField()),
                ('rolled', fields.CharField(max_length=16)),
                ('prize', fields.CharField(max_length=16)),
                ('prize_name', fields.CharField(max_length=40)),
                ('points_spent', fields.BigIntField(default=0)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lucky_draw', 'app': 'telehall', 'unique_together': (('subscriber', 'day', 'seq'), ('subscriber', 'idempotency_key')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Redemption',
            name='pay_url',
            field=fields.CharField(null=True, max_length=255),
        ),
    ]
