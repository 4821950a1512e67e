"""Tickets: filed by a customer with up to 3 screenshots, worked by agents and operators,
every status change recorded and told to the customer by SMS."""

from __future__ import annotations

import secrets

from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.service import Ticket, TicketAttachment, TicketEvent
from domain.errors import fail
from domain.service.attachments import MAX_BYTES, check_count
from domain.service.tickets import (
    STATUS_TEXT,
    TicketCategory,
    TicketStatus,
    check_description,
    check_transition,
    promised_by,
)
from domain.sessions import Scope
from resolvers.context import RequestContext
from resolvers.pagination import Page, keyset_page
from resolvers.service.images import clean


def _staff(ctx: RequestContext) -> bool:
    return ctx.session is not None and ctx.session.scope is Scope.STAFF


async def _notify(ctx: RequestContext, ticket: Ticket, status: TicketStatus) -> None:
    subscriber = await Subscriber.get(id=ticket.subscriber_id)
    await ctx.services.sms.send(
        subscriber.msisdn,
        "TICKET_STATUS",
        f"您的工单{ticket.id}{STATUS_TEXT[status]}。",
    )


async def create(
    ctx: RequestContext, subscriber_id: int, category: TicketCategory, description: str,
    uploads: list[bytes | None],
) -> Ticket:  # fmt: skip
    """`uploads`: each file's bytes, or None when it was larger than allowed (not read)."""
    description = check_description(description)
    check_count(len(uploads))
    images = []
    for i, raw in enumerate(uploads):
        if raw is None or len(raw) > MAX_BYTES:
            raise fail("ATTACHMENT_TOO_LARGE", "A screenshot is at most 5 MB.", f"attachments.{i}")
        images.append(clean(i, raw))
    now = ctx.now()
    async with in_transaction() as conn:
        ticket = await Ticket.create(
            id=f"T{secrets.token_hex(6).upper()}", subscriber_id=subscriber_id, category=category,
            description=description, status=TicketStatus.SUBMITTED, created_at=now,
            updated_at=now, promised_by=promised_by(category, now), using_db=conn,
        )  # fmt: skip
        await TicketEvent.create(
            ticket_id=ticket.id, from_status=None, to_status=TicketStatus.SUBMITTED,
            actor="customer", at=now, using_db=conn,
        )  # fmt: skip
        for image in images:
            await TicketAttachment.create(
                id=f"a-{secrets.token_hex(8)}", ticket_id=ticket.id,
                content_type=image.content_type, size=len(image.data), width=image.width,
                height=image.height, data=image.data, created_at=now, using_db=conn,
            )  # fmt: skip
    await _notify(ctx, ticket, TicketStatus.SUBMITTED)
    return ticket


async def visible(ctx: RequestContext, ticket_id: str) -> Ticket:
    """The ticket when the caller is its customer or staff; others learn nothing."""
    ticket = await Ticket.get_or_none(id=ticket_id)
    session = ctx.session
    owner = (
        ticket is not None and session is not None and session.is_subscriber
        and session.subject_id == ticket.subscriber_id
    )  # fmt: skip
    if ticket is None or not (owner or _staff(ctx)):
        raise fail("NOT_FOUND", "No such ticket.", "id")
    return ticket


async def move(ctx: RequestContext, ticket_id: str, target: TicketStatus, note: str) -> Ticket:
    ticket = await visible(ctx, ticket_id)
    check_transition(ticket.status, target)
    if len(note) > 500:
        raise fail("INVALID_TICKET", "A note is at most 500 characters.", "note")
    now = ctx.now()
    actor = ctx.session.name if ctx.session else "system"
    async with in_transaction() as conn:
        moved = (
            await Ticket.filter(id=ticket.id, status=ticket.status)
            .using_db(conn)
            .update(status=target, updated_at=now, assignee=actor)
        )
        if not moved:
            raise fail("INVALID_TICKET_STATUS", "Someone changed this ticket first.", "status")
        await TicketEvent.create(
            ticket_id=ticket.id, from_status=ticket.status, to_status=target, actor=actor,
            note=note.strip(), at=now, using_db=conn,
        )  # fmt: skip
    ticket = await Ticket.get(id=ticket.id)
    await _notify(ctx, ticket, target)
    return ticket


async def mine(subscriber_id: int, first: int | None, after: str | None) -> Page[Ticket]:
    query = Ticket.filter(subscriber_id=subscriber_id)
    return await keyset_page(query, first, after, ("-created_at", "-id"))


async def queue(status: TicketStatus | None, first: int | None, after: str | None) -> Page[Ticket]:
    query = Ticket.all() if status is None else Ticket.filter(status=status)
    return await keyset_page(query, first, after, ("created_at", "id"))


async def attachment_for(session, attachment_id: str) -> TicketAttachment | None:
    """The attachment when `session` is its ticket's customer or staff."""
    found = await TicketAttachment.get_or_none(id=attachment_id).prefetch_related("ticket")
    if found is None or session is None:
        return None
    if session.scope is Scope.STAFF or (
        session.is_subscriber and session.subject_id == found.ticket.subscriber_id
    ):
        return found
    return None
