"""Tickets: customers file them with screenshots (GraphQL multipart request spec), agents and
operators work them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from domain.service.attachments import MAX_BYTES
from domain.service.tickets import TicketCategory, TicketStatus
from domain.sessions import Capability
from resolvers.service import loaders, tickets
from schema.errors import UserError, payload
from schema.pagination import Connection, connection_of
from schema.permissions import AGENT_OR_OPERATOR, context, subscriber_session

TicketStatusEnum = strawberry.enum(TicketStatus, name="TicketStatus")
TicketCategoryEnum = strawberry.enum(TicketCategory, name="TicketCategory")


@strawberry.type
class TicketEvent:
    from_status: TicketStatusEnum | None
    to_status: TicketStatusEnum
    actor: str
    note: str
    at: datetime


@strawberry.type(description="A screenshot, re-encoded without metadata.")
class TicketAttachment:
    id: strawberry.ID
    content_type: str
    size: int
    width: int
    height: int

    @strawberry.field(description="GET with the same bearer token: its owner and staff only.")
    def url(self) -> str:
        return f"/attachments/{self.id}"


@strawberry.type
class Ticket:
    id: strawberry.ID
    category: TicketCategoryEnum
    description: str
    status: TicketStatusEnum
    created_at: datetime
    updated_at: datetime
    promised_by: datetime = strawberry.field(description="When the hall promises a resolution.")

    # history and attachments load through per-request DataLoaders (two queries per page)
    @strawberry.field(description="Every status change, oldest first.")
    async def history(self, info: Info) -> list[TicketEvent]:
        return await loaders.ticket_events(context(info)).load(self.id)

    @strawberry.field
    async def attachments(self, info: Info) -> list[TicketAttachment]:
        return await loaders.ticket_attachments(context(info)).load(self.id)


@strawberry.input
class TicketCreateInput:
    category: TicketCategoryEnum
    description: str
    attachments: list[Upload] = strawberry.field(
        default_factory=list, description="Up to 3 PNG or JPEG screenshots, 5 MB each."
    )


@strawberry.type
class TicketPayload:
    ticket: Ticket | None = None
    user_errors: list[UserError]


async def _read(upload) -> bytes | None:
    """The bytes, or None past the limit (never more than the limit + 1 read)."""
    data = await upload.read(MAX_BYTES + 1)
    return None if len(data) > MAX_BYTES else data


@strawberry.type
class SubscriberTicketFields:
    @strawberry.field(description="My tickets, newest first.")
    async def tickets(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Ticket]:
        subscriber_session(info, Capability.READ_BASIC)
        sid = self.id  # type: ignore[attr-defined]
        return await connection_of(lambda: tickets.mine(sid, first, after))


@strawberry.type
class TicketQuery:
    @strawberry.field(description="A ticket of mine (staff: any).")
    async def ticket(self, info: Info, id: strawberry.ID) -> Ticket | None:
        from domain.errors import DomainError

        try:
            return await tickets.visible(context(info), str(id))  # type: ignore[return-value]
        except DomainError:
            return None

    @strawberry.field(
        permission_classes=AGENT_OR_OPERATOR,
        description="AGENT or OPERATOR: tickets to work, oldest first, by status.",
    )
    async def tickets(
        self, info: Info, status: TicketStatusEnum | None = None, first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Ticket]:  # fmt: skip
        return await connection_of(lambda: tickets.queue(status, first, after))


@strawberry.type
class TicketMutation:
    @strawberry.mutation(
        description="File a ticket (multipart request: map the files to "
        "variables.input.attachments.N); the customer gets an SMS on every status change."
    )
    async def ticket_create(self, info: Info, input: TicketCreateInput) -> TicketPayload:
        session = subscriber_session(info, Capability.READ_BASIC)

        async def work():
            raw = [await _read(f) for f in input.attachments[:4]]
            if len(input.attachments) > 3:
                raw = raw + [b""] * (len(input.attachments) - len(raw))
            ticket = await tickets.create(
                context(info), session.subject_id, input.category, input.description, raw
            )
            return {"ticket": ticket}

        return await payload(TicketPayload, work)

    @strawberry.mutation(
        permission_classes=AGENT_OR_OPERATOR,
        description="AGENT or OPERATOR: move a ticket along SUBMITTED → ACKNOWLEDGED → "
        "IN_PROGRESS → RESOLVED → CLOSED (or REJECTED); the customer gets an SMS.",
    )
    async def ticket_update_status(
        self, info: Info, id: strawberry.ID, status: TicketStatusEnum, note: str = ""
    ) -> TicketPayload:
        async def work():
            return {"ticket": await tickets.move(context(info), str(id), status, note)}

        return await payload(TicketPayload, work)
