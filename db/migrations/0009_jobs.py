from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.jobs import JobRunStatus, JobTrigger
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('telehall', '0007_numbers_more')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobRun',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('scheduled_for', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempt', fields.SmallIntField(default=1)),
                ('trigger', fields.CharEnumField(default=JobTrigger.SCHEDULE, description='SCHEDULE: SCHEDULE\nMANUAL: MANUAL', enum_type=JobTrigger, max_length=16)),
                ('status', fields.CharEnumField(default=JobRunStatus.RUNNING, description='RUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED\nABANDONED: ABANDONED', enum_type=JobRunStatus, max_length=16)),
                ('fence', fields.BigIntField()),
                ('worker', fields.CharField(max_length=128)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('counts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'job_run', 'app': 'telehall', 'unique_together': (('name', 'scheduled_for', 'attempt'),), 'indexes': [Index(fields=['name', 'started_at'])], 'pk_attr': 'id', 'table_description': 'One run of a scheduled job. A slot (name, scheduled_for) may have several attempts when'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Notification',
            name='attempts',
            field=fields.SmallIntField(default=0),
        ),
        ops.AddField(
            model_name='Notification',
            name='claimed_by',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Notification',
            name='claimed_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Notification',
            name='failed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Notification',
            name='failure_reason',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Notification',
            name='next_attempt_at',
            field=fields.DatetimeField(null=True, description='null: due at once', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Notification',
            name='priority',
            field=fields.SmallIntField(default=1),
        ),
        ops.AddField(
            model_name='Notification',
            name='queued_at',
            field=fields.DatetimeField(null=True, description="by the hall's clock", auto_now=False, auto_now_add=False),
        ),
        # The sender claims pending notices by (priority, id): a partial index keeps that cheap
        # however long the sent history grows (SQLite and PostgreSQL both support it).
        ops.RunSQL(
            "CREATE INDEX notification_pending ON notification (priority, id) "
            "WHERE sent_at IS NULL AND failed_at IS NULL",
            reverse_sql="DROP INDEX notification_pending",
        ),
    ]
