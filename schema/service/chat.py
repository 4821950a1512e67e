"""Conversations: customer and agent mutations, the queue, history and the live feed."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.service.conversations import ConversationStatus, Sender
from resolvers.service import chat, ratings
from schema.errors import UserError, payload
from schema.pagination import Connection, connection_of
from schema.pagination import query as run_query
from schema.permissions import AGENT, OPERATOR, context, session_of

ConversationStatusEnum = strawberry.enum(ConversationStatus, name="ConversationStatus")
SenderEnum = strawberry.enum(Sender, name="ChatSender")


@strawberry.type
class ChatMessage:
    id: strawberry.ID
    conversation_id: strawberry.ID
    sender: SenderEnum
    author: str = strawberry.field(description="The agent's username for AGENT messages.")
    text: str
    article_ids: list[strawberry.ID] = strawberry.field(
        description="The knowledge-base articles a BOT message suggests (kbArticle(id))."
    )
    at: datetime


@strawberry.type
class ConversationRating:
    stars: int
    tags: list[str]
    comment: str
    at: datetime


@strawberry.type
class Conversation:
    id: strawberry.ID
    status: ConversationStatusEnum
    agent: str | None
    started_at: datetime
    queued_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None

    @strawberry.field(description="1 = next; 0 when not waiting.")
    async def queue_position(self, info: Info) -> int:
        return (await chat.queue_place(context(info), self))[0]  # type: ignore[arg-type]

    @strawberry.field
    async def estimated_wait_seconds(self, info: Info) -> int:
        return int((await chat.queue_place(context(info), self))[1].total_seconds())  # type: ignore[arg-type]

    @strawberry.field
    def rating(self) -> ConversationRating | None:
        row = self  # the Conversation row
        if row.rated_at is None:  # type: ignore[attr-defined]
            return None
        return ConversationRating(
            stars=row.rating, tags=list(row.rating_tags), comment=row.rating_comment,  # type: ignore[attr-defined]
            at=row.rated_at,  # type: ignore[attr-defined]
        )  # fmt: skip


@strawberry.type
class ChatStartPayload:
    conversation: Conversation | None = None
    visitor_token: str | None = strawberry.field(
        default=None, description="Anonymous only: pass it to chatSend, chatMessages and the rest."
    )
    user_errors: list[UserError]


@strawberry.type
class ChatMessagePayload:
    message: ChatMessage | None = None
    user_errors: list[UserError]


@strawberry.type
class ConversationPayload:
    conversation: Conversation | None = None
    user_errors: list[UserError]


@strawberry.type
class ServiceFigures:
    key: str = strawberry.field(description="The agent's username, a date, or `total`.")
    conversations: int
    bot_resolved_share: float
    median_wait_seconds: float | None
    median_handling_seconds: float | None
    average_rating: float | None


@strawberry.type
class ServiceStats:
    total: ServiceFigures
    per_agent: list[ServiceFigures]
    per_day: list[ServiceFigures]


@strawberry.type
class ChatQuery:
    @strawberry.field(description="A conversation of the caller's (or any, for agents).")
    async def conversation(
        self, info: Info, id: strawberry.ID, visitor_token: str | None = None
    ) -> Conversation | None:
        from domain.errors import DomainError

        try:
            return await chat.visible(context(info), str(id), visitor_token)  # type: ignore[return-value]
        except DomainError:
            return None

    @strawberry.field(description="A conversation's messages, oldest first.")
    async def chat_history(
        self, info: Info, conversation_id: strawberry.ID, visitor_token: str | None = None,
        first: int | None = 50, after: str | None = None,
    ) -> Connection[ChatMessage]:  # fmt: skip
        ctx = context(info)
        return await connection_of(
            lambda: chat.history(ctx, str(conversation_id), visitor_token, first, after)
        )

    @strawberry.field(
        permission_classes=AGENT, description="AGENT: conversations waiting, longest first."
    )
    async def agent_queue(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Conversation]:
        ctx = context(info)
        return await connection_of(lambda: chat.queue_page(ctx, first, after))

    @strawberry.field(
        permission_classes=OPERATOR,
        description="OPERATOR: conversations started in [from, to) (at most 92 days): count, "
        "bot-resolved share, median wait and handling time, average rating; per agent, per day.",
    )
    async def service_stats(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> ServiceStats:
        return await run_query(lambda: ratings.stats(from_, to))  # type: ignore[return-value]


@strawberry.type
class ChatMutation:
    @strawberry.mutation(
        description="A subscriber (FULL or LIMITED session) starts a conversation with the bot; "
        "without a session, solve a captcha and keep the visitorToken."
    )
    async def chat_start(
        self, info: Info, captcha_id: str | None = None, captcha_answer: str | None = None
    ) -> ChatStartPayload:
        async def work():
            started = await chat.start(context(info), captcha_id, captcha_answer)
            return {"conversation": started.conversation, "visitor_token": started.visitor_token}

        return await payload(ChatStartPayload, work)

    @strawberry.mutation(
        description="The customer writes (the bot answers while no agent has it), or the agent "
        "who holds the conversation writes. 1 to 2,000 characters."
    )
    async def chat_send(
        self, info: Info, conversation_id: strawberry.ID, text: str,
        visitor_token: str | None = None,
    ) -> ChatMessagePayload:  # fmt: skip
        async def work():
            sent = await chat.send(context(info), str(conversation_id), text, visitor_token)
            return {"message": sent}

        return await payload(ChatMessagePayload, work)

    @strawberry.mutation(permission_classes=AGENT, description="AGENT: take a queued conversation.")
    async def chat_accept(self, info: Info, conversation_id: strawberry.ID) -> ConversationPayload:
        session_of(info)
        return await payload(
            ConversationPayload,
            lambda: _conv(chat.accept(context(info), str(conversation_id))),
        )

    @strawberry.mutation(
        permission_classes=AGENT,
        description="AGENT: hand a conversation you hold to another agent, or back to the queue.",
    )
    async def chat_transfer(
        self, info: Info, conversation_id: strawberry.ID, to_agent: str | None = None
    ) -> ConversationPayload:
        return await payload(
            ConversationPayload,
            lambda: _conv(chat.transfer(context(info), str(conversation_id), to_agent)),
        )

    @strawberry.mutation(
        description="The agent who holds it, or its customer, closes the conversation."
    )
    async def chat_close(
        self, info: Info, conversation_id: strawberry.ID, visitor_token: str | None = None
    ) -> ConversationPayload:
        return await payload(
            ConversationPayload,
            lambda: _conv(chat.close(context(info), str(conversation_id), visitor_token)),
        )

    @strawberry.mutation(
        description="Rate a closed conversation once: 1 to 5 stars, tags from FAST, SOLVED, "
        "FRIENDLY, PROFESSIONAL, SLOW, NOT_SOLVED, UNFRIENDLY, UNCLEAR, a comment of up to 500."
    )
    async def chat_rate(
        self, info: Info, conversation_id: strawberry.ID, stars: int,
        tags: list[str] | None = None, comment: str = "", visitor_token: str | None = None,
    ) -> ConversationPayload:  # fmt: skip
        work = ratings.rate(
            context(info), str(conversation_id), visitor_token, stars, tags or [], comment
        )
        return await payload(ConversationPayload, lambda: _conv(work))


async def _conv(work) -> dict:
    return {"conversation": await work}


@strawberry.type
class ChatSubscription:
    @strawberry.subscription(
        description="Every new message of the conversation, as it is posted (graphql-transport-"
        "ws, through Redis pub/sub: any worker serves either side). Read chatHistory for the past."
    )
    async def chat_messages(
        self, info: Info, conversation_id: strawberry.ID, visitor_token: str | None = None
    ) -> AsyncGenerator[ChatMessage, None]:
        ctx = context(info)
        await chat.adopt_connection_session(ctx)
        conv = await run_query(lambda: chat.visible(ctx, str(conversation_id), visitor_token))
        async for m in ctx.stores.chat_feed.listen(conv.id):
            yield ChatMessage(
                id=strawberry.ID(str(m["id"])), conversation_id=strawberry.ID(m["conversation_id"]),
                sender=Sender(m["sender"]), author=m["author"], text=m["text"],
                article_ids=[strawberry.ID(a) for a in m["article_ids"]],
                at=datetime.fromisoformat(m["at"]),
            )  # fmt: skip
