"""Customer service: knowledge-base articles and their search terms, conversations with the bot
and agents, their messages and ratings, tickets with status history and screenshots."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.service.conversations import ConversationStatus, Sender
from domain.service.kb import KbCategory
from domain.service.tickets import TicketCategory, TicketStatus


class KbArticle(Model):
    """An FAQ article. `doc_len` is its weighted term count, for BM25."""

    id = fields.CharField(max_length=48, primary_key=True)
    title = fields.CharField(max_length=120)
    body = fields.TextField()
    category = fields.CharEnumField(KbCategory, max_length=16)
    keywords = fields.CharField(max_length=500, default="")
    related = fields.CharField(max_length=200, default="")
    archived = fields.BooleanField(default=False)
    doc_len = fields.FloatField(default=0)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    updated_by = fields.CharField(max_length=64, default="system")

    class Meta:
        table = "kb_article"


class KbTerm(Model):
    """One term of a live article with its weighted frequency (archived articles have none)."""

    id = fields.BigIntField(primary_key=True)
    article = fields.ForeignKeyField("telehall.KbArticle", related_name="terms")
    term = fields.CharField(max_length=64)
    tf = fields.FloatField()

    class Meta:
        table = "kb_term"
        unique_together = (("term", "article_id"),)


class Conversation(Model):
    """A chat: with the bot first, then queued for and handled by an agent."""

    id = fields.CharField(max_length=32, primary_key=True)
    subscriber = fields.ForeignKeyField(
        "telehall.Subscriber", related_name="conversations", null=True
    )
    visitor = fields.CharField(max_length=64, null=True)  # anonymous: the visitor token's hash
    status = fields.CharEnumField(ConversationStatus, max_length=12)
    unhelpful = fields.IntField(default=0)
    agent = fields.CharField(max_length=64, null=True)
    started_at = fields.DatetimeField()
    queued_at = fields.DatetimeField(null=True, db_index=True)
    accepted_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True, db_index=True)
    bot_resolved = fields.BooleanField(default=False)
    rating = fields.IntField(null=True)
    rating_tags = fields.JSONField(default=list)
    rating_comment = fields.CharField(max_length=500, default="")
    rated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "conversation"


class ChatMessage(Model):
    id = fields.BigIntField(primary_key=True)
    conversation = fields.ForeignKeyField("telehall.Conversation", related_name="messages")
    sender = fields.CharEnumField(Sender, max_length=8)
    author = fields.CharField(max_length=64, default="")
    text = fields.TextField()
    article_ids = fields.JSONField(default=list)
    at = fields.DatetimeField()

    class Meta:
        table = "chat_message"
        indexes = (("conversation_id", "id"),)


class Ticket(Model):
    id = fields.CharField(max_length=32, primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="tickets")
    category = fields.CharEnumField(TicketCategory, max_length=12)
    description = fields.TextField()
    status = fields.CharEnumField(TicketStatus, max_length=12)
    assignee = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    promised_by = fields.DatetimeField()

    class Meta:
        table = "ticket"
        indexes = (("subscriber_id", "created_at"),)


class TicketEvent(Model):
    """One status change of a ticket, with who made it and the note shown to the customer."""

    id = fields.BigIntField(primary_key=True)
    ticket = fields.ForeignKeyField("telehall.Ticket", related_name="events")
    from_status = fields.CharEnumField(TicketStatus, max_length=12, null=True)
    to_status = fields.CharEnumField(TicketStatus, max_length=12)
    actor = fields.CharField(max_length=64)
    note = fields.CharField(max_length=500, default="")
    at = fields.DatetimeField()

    class Meta:
        table = "ticket_event"


class TicketAttachment(Model):
    """A screenshot, re-encoded without metadata, its bytes kept in the database."""

    id = fields.CharField(max_length=32, primary_key=True)
    ticket = fields.ForeignKeyField("telehall.Ticket", related_name="attachments")
    content_type = fields.CharField(max_length=16)
    size = fields.IntField()
    width = fields.IntField()
    height = fields.IntField()
    data = fields.BinaryField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "ticket_attachment"
