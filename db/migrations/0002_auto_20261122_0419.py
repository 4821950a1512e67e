from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.catalog import AddOnKind, PackKind, PlanKind, ValidityKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('telehall', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Pack',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('kind', fields.CharEnumField(description='DATA: DATA\nVOICE: VOICE\nSMS: SMS\nVAS: VAS', enum_type=PackKind, max_length=8)),
                ('name', fields.CharField(max_length=64)),
                ('description', fields.CharField(default='', max_length=255)),
                ('amount', fields.IntField(default=0)),
                ('price_fen', fields.IntField()),
                ('active', fields.BooleanField(default=True)),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'pack', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A component of the 4G national combo, billed monthly. `amount` is MB for DATA, minutes'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoamingDestination',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('name', fields.CharField(max_length=64)),
                ('countries', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('active', fields.BooleanField(default=True)),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'roaming_destination', 'app': 'telehall', 'pk_attr': 'code', 'table_description': 'A roaming zone (港澳台, 日韩, 欧洲...) and the countries or regions it covers.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AddOn',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('kind', fields.CharEnumField(description='SEVEN_DAY_DATA: SEVEN_DAY_DATA\nMONTH_END_DATA: MONTH_END_DATA\nHALF_YEAR_DATA: HALF_YEAR_DATA\nDIRECTIONAL_VIDEO: DIRECTIONAL_VIDEO\nROAMING: ROAMING', enum_type=AddOnKind, max_length=24)),
                ('name', fields.CharField(max_length=64)),
                ('description', fields.CharField(default='', max_length=255)),
                ('price_fen', fields.IntField()),
                ('data_mb', fields.IntField(default=0)),
                ('voice_minutes', fields.IntField(default=0)),
                ('sms_count', fields.IntField(default=0)),
                ('validity_kind', fields.CharEnumField(description='DAYS: DAYS\nMONTH_END: MONTH_END\nMONTHS: MONTHS', enum_type=ValidityKind, max_length=16)),
                ('validity_length', fields.IntField(default=0)),
                ('app', fields.CharField(null=True, max_length=32)),
                ('destination', fields.ForeignKeyField('telehall.RoamingDestination', source_field='destination_id', null=True, db_constraint=True, to_field='code', related_name='add_ons', on_delete=OnDelete.CASCADE)),
                ('active', fields.BooleanField(default=True)),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'add_on', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A pack bought once that takes effect at once: 7-day, month-end and half-year data packs,'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='Plan',
            options={'table': 'plan', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A tariff plan, or a combo a subscriber composed (kind COMBO, unlisted). The fee and'},
        ),
        ops.AlterField(
            model_name='Plan',
            name='name',
            field=fields.CharField(max_length=128),
        ),
        ops.AddField(
            model_name='Plan',
            name='capped_speed_kbps',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Plan',
            name='components',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Plan',
            name='description',
            field=fields.CharField(default='', max_length=255),
        ),
        ops.AddField(
            model_name='Plan',
            name='kind',
            field=fields.CharEnumField(default=PlanKind.PLAN, description='PLAN: PLAN\nCOMBO: COMBO', enum_type=PlanKind, max_length=8),
        ),
        ops.AddField(
            model_name='Plan',
            name='listed',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='Plan',
            name='speed_cap_after_mb',
            field=fields.IntField(null=True),
        ),
    ]
