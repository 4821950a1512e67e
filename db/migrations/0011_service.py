from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.service.conversations import ConversationStatus, Sender
from domain.service.kb import KbCategory
from domain.service.tickets import TicketCategory, TicketStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('telehall', '0009_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Conversation',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', null=True, db_constraint=True, to_field='id', related_name='conversations', on_delete=OnDelete.CASCADE)),
                ('visitor', fields.CharField(null=True, max_length=64)),
                ('status', fields.CharEnumField(description='BOT: BOT\nQUEUED: QUEUED\nAGENT: AGENT\nCLOSED: CLOSED', enum_type=ConversationStatus, max_length=12)),
                ('unhelpful', fields.IntField(default=0)),
                ('agent', fields.CharField(null=True, max_length=64)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('queued_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('bot_resolved', fields.BooleanField(default=False)),
                ('rating', fields.IntField(null=True)),
                ('rating_tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('rating_comment', fields.CharField(default='', max_length=500)),
                ('rated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'conversation', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A chat: with the bot first, then queued for and handled by an agent.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('telehall.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('sender', fields.CharEnumField(description='CUSTOMER: CUSTOMER\nBOT: BOT\nAGENT: AGENT\nSYSTEM: SYSTEM', enum_type=Sender, max_length=8)),
                ('author', fields.CharField(default='', max_length=64)),
                ('text', fields.TextField(unique=False)),
                ('article_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'chat_message', 'app': 'telehall', 'indexes': [Index(fields=['conversation_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KbArticle',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=48)),
                ('title', fields.CharField(max_length=120)),
                ('body', fields.TextField(unique=False)),
                ('category', fields.CharEnumField(description='ACCOUNT: ACCOUNT\nBILLING: BILLING\nRECHARGE: RECHARGE\nPLAN: PLAN\nNETWORK: NETWORK\nROAMING: ROAMING\nPOINTS: POINTS\nNUMBERS: NUMBERS\nPROMOTIONS: PROMOTIONS\nSERVICE: SERVICE', enum_type=KbCategory, max_length=16)),
                ('keywords', fields.CharField(default='', max_length=500)),
                ('related', fields.CharField(default='', max_length=200)),
                ('archived', fields.BooleanField(default=False)),
                ('doc_len', fields.FloatField(default=0)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by', fields.CharField(default='system', max_length=64)),
            ],
            options={'table': 'kb_article', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'An FAQ article. `doc_len` is its weighted term count, for BM25.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KbTerm',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('article', fields.ForeignKeyField('telehall.KbArticle', source_field='article_id', db_constraint=True, to_field='id', related_name='terms', on_delete=OnDelete.CASCADE)),
                ('term', fields.CharField(max_length=64)),
                ('tf', fields.FloatField()),
            ],
            options={'table': 'kb_term', 'app': 'telehall', 'unique_together': (('term', 'article_id'),), 'pk_attr': 'id', 'table_description': 'One term of a live article with its weighted frequency (archived articles have none).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('subscriber', fields.ForeignKeyField('telehall.Subscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharEnumField(description='BILLING: BILLING\nRECHARGE: RECHARGE\nNETWORK: NETWORK\nACCOUNT: ACCOUNT\nBUSINESS: BUSINESS\nCOMPLAINT: COMPLAINT\nSUGGESTION: SUGGESTION\nOTHER: OTHER', enum_type=TicketCategory, max_length=12)),
                ('description', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(description='SUBMITTED: SUBMITTED\nACKNOWLEDGED: ACKNOWLEDGED\nIN_PROGRESS: IN_PROGRESS\nRESOLVED: RESOLVED\nCLOSED: CLOSED\nREJECTED: REJECTED', enum_type=TicketStatus, max_length=12)),
                ('assignee', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('promised_by', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ticket', 'app': 'telehall', 'indexes': [Index(fields=['subscriber_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketAttachment',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('ticket', fields.ForeignKeyField('telehall.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('content_type', fields.CharField(max_length=16)),
                ('size', fields.IntField()),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('data', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ticket_attachment', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'A screenshot, re-encoded without metadata, its bytes kept in the database.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('telehall.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharEnumField(null=True, description='SUBMITTED: SUBMITTED\nACKNOWLEDGED: ACKNOWLEDGED\nIN_PROGRESS: IN_PROGRESS\nRESOLVED: RESOLVED\nCLOSED: CLOSED\nREJECTED: REJECTED', enum_type=TicketStatus, max_length=12)),
                ('to_status', fields.CharEnumField(description='SUBMITTED: SUBMITTED\nACKNOWLEDGED: ACKNOWLEDGED\nIN_PROGRESS: IN_PROGRESS\nRESOLVED: RESOLVED\nCLOSED: CLOSED\nREJECTED: REJECTED', enum_type=TicketStatus, max_length=12)),
                ('actor', fields.CharField(max_length=64)),
                ('note', fields.CharField(default='', max_length=500)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ticket_event', 'app': 'telehall', 'pk_attr': 'id', 'table_description': 'One status change of a ticket, with who made it and the note shown to the customer.'},
            bases=['Model'],
        ),
    ]
