"""Conversations: the customer and the bot, the hand-off to the agents' queue, the agents'
work, the history and the live feed. Who may see a conversation is one rule, `_visible`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q

from db.models.accounts import StaffUser, Subscriber
from db.models.service import ChatMessage, Conversation
from domain.accounts import StaffRole
from domain.errors import fail
from domain.service.conversations import (
    ConversationStatus as S,
)
from domain.service.conversations import (
    Sender,
    check_acceptable,
    check_handler,
    check_open,
    check_text,
    estimated_wait,
    hand_off_after,
    wants_human,
)
from domain.sessions import Capability, Scope
from resolvers.context import RequestContext
from resolvers.login_attempts import check_captcha
from resolvers.pagination import Page, keyset_page
from resolvers.service import bot

GREETING = (
    "您好，我是智能客服小厅。请直接输入您的问题，例如“我还剩多少流量”；发送“转人工”联系人工客服。"
)
AGENT_ROLES = (StaffRole.AGENT,)


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    visitor_token: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _is_agent(ctx: RequestContext) -> bool:
    return ctx.session is not None and ctx.session.has_role(*AGENT_ROLES, StaffRole.OPERATOR)


def _owns(ctx: RequestContext, conv: Conversation, visitor_token: str | None) -> bool:
    session = ctx.session
    if conv.subscriber_id is not None:
        return (
            session is not None
            and session.is_subscriber
            and (session.subject_id == conv.subscriber_id)
        )
    return bool(visitor_token) and conv.visitor == _hash(visitor_token or "")


async def _visible(ctx: RequestContext, conversation_id: str, visitor: str | None) -> Conversation:
    """The conversation when the caller is its customer or staff who work conversations; any
    other caller learns nothing, not even that it exists."""
    conv = await Conversation.get_or_none(id=conversation_id)
    if conv is None or not (_owns(ctx, conv, visitor) or _is_agent(ctx)):
        raise fail("NOT_FOUND", "No such conversation.", "conversationId")
    return conv


async def visible(ctx: RequestContext, conversation_id: str, visitor: str | None) -> Conversation:
    return await _visible(ctx, conversation_id, visitor)


async def adopt_connection_session(ctx: RequestContext) -> None:
    """A websocket without an Authorization header may send `{"authorization": "Bearer …"}`
    in its connection_init payload (what browsers can do)."""
    params = ctx.connection_params if isinstance(ctx.connection_params, dict) else {}
    scheme, _, token = str(params.get("authorization") or "").partition(" ")
    if ctx.session is None and scheme.lower() == "bearer" and token.strip():
        ctx.session = await ctx.stores.sessions.resolve(token.strip())
        ctx.token_rejected = ctx.session is None


async def _post(
    ctx: RequestContext, conv: Conversation, sender: Sender, text: str, author: str = "",
    article_ids: list[str] | None = None,
) -> ChatMessage:  # fmt: skip
    message = await ChatMessage.create(
        conversation_id=conv.id, sender=sender, author=author, text=text,
        article_ids=article_ids or [], at=ctx.now(),
    )  # fmt: skip
    await ctx.stores.chat_feed.publish(conv.id, wire(message))
    return message


def wire(message: ChatMessage) -> dict:
    return {
        "id": message.id, "conversation_id": message.conversation_id,
        "sender": message.sender.value, "author": message.author, "text": message.text,
        "article_ids": list(message.article_ids), "at": message.at.isoformat(),
    }  # fmt: skip


async def start(ctx: RequestContext, captcha_id: str | None, captcha_answer: str | None) -> Started:
    session = ctx.session
    now = ctx.now()
    conv_id = f"c-{secrets.token_hex(8)}"
    token = None
    if session is not None and session.is_subscriber and session.may(Capability.READ_BASIC):
        conv = await Conversation.create(
            id=conv_id, subscriber_id=session.subject_id, status=S.BOT, started_at=now
        )
    elif session is not None and session.scope is Scope.STAFF:
        raise fail("INVALID_ARGUMENT", "Staff do not start customer conversations.")
    else:
        await check_captcha(ctx, captcha_id, captcha_answer)
        token = secrets.token_urlsafe(24)
        conv = await Conversation.create(
            id=conv_id, visitor=_hash(token), status=S.BOT, started_at=now
        )
    await _post(ctx, conv, Sender.BOT, GREETING)
    return Started(conv, token)


async def send(
    ctx: RequestContext, conversation_id: str, text: str, visitor: str | None
) -> ChatMessage:
    """A message from the conversation's customer or from the agent who holds it."""
    conv = await _visible(ctx, conversation_id, visitor)
    text = check_text(text)
    if not _owns(ctx, conv, visitor):
        check_handler(conv.status, conv.agent, ctx.session.name if ctx.session else "")
        return await _post(ctx, conv, Sender.AGENT, text, ctx.session.name)
    check_open(conv.status)
    message = await _post(ctx, conv, Sender.CUSTOMER, text)
    if conv.status is S.BOT:
        await _bot_turn(ctx, conv, text)
    return message


async def _bot_turn(ctx: RequestContext, conv: Conversation, text: str) -> None:
    if wants_human(text):
        await _queue(ctx, conv)
        return
    subscriber = await Subscriber.get_or_none(id=conv.subscriber_id) if conv.subscriber_id else None
    answer = await bot.reply(ctx, subscriber, text)
    await _post(ctx, conv, Sender.BOT, answer.text, article_ids=answer.article_ids)
    unhelpful = 0 if answer.helpful else conv.unhelpful + 1
    await Conversation.filter(id=conv.id).update(unhelpful=unhelpful)
    if hand_off_after(unhelpful):
        await _queue(ctx, conv)


async def _queue(ctx: RequestContext, conv: Conversation) -> None:
    moved = await Conversation.filter(id=conv.id, status__in=[S.BOT, S.AGENT]).update(
        status=S.QUEUED, queued_at=ctx.now(), agent=None
    )
    if moved:
        conv = await Conversation.get(id=conv.id)
        position, wait = await queue_place(ctx, conv)
        minutes = max(1, round(wait.total_seconds() / 60))
        await _post(
            ctx, conv, Sender.SYSTEM,
            f"正在为您转接人工客服，您前面还有{position - 1}位，预计等待约{minutes}分钟。",
        )  # fmt: skip


async def queue_place(ctx: RequestContext, conv: Conversation) -> tuple[int, timedelta]:
    """Position (1 = next) and estimated wait of a queued conversation (computed once per
    request: queuePosition and estimatedWaitSeconds share it)."""
    if conv.status is not S.QUEUED or conv.queued_at is None:
        return 0, timedelta(0)
    memo = ctx.loaders.setdefault("queue_place", {})
    if conv.id not in memo:
        memo[conv.id] = await _queue_place(ctx, conv)
    return memo[conv.id]


async def _queue_place(ctx: RequestContext, conv: Conversation) -> tuple[int, timedelta]:
    ahead = (
        await Conversation.filter(status=S.QUEUED)
        .filter(Q(queued_at__lt=conv.queued_at) | Q(queued_at=conv.queued_at, id__lt=conv.id))
        .count()
    )
    agents = len(set(await Conversation.filter(status=S.AGENT).values_list("agent", flat=True)))
    handle = timedelta(seconds=ctx.settings.service_handle_seconds)
    return ahead + 1, estimated_wait(ahead + 1, agents, handle)


async def queue_page(ctx: RequestContext, first: int | None, after: str | None) -> Page:
    return await keyset_page(
        Conversation.filter(status=S.QUEUED), first, after, ("queued_at", "id")
    )


async def accept(ctx: RequestContext, conversation_id: str) -> Conversation:
    agent = ctx.session.name if ctx.session else ""
    taken = await Conversation.filter(id=conversation_id, status=S.QUEUED).update(
        status=S.AGENT, agent=agent, accepted_at=ctx.now()
    )
    conv = await Conversation.get_or_none(id=conversation_id)
    if conv is None:
        raise fail("NOT_FOUND", "No such conversation.", "conversationId")
    if not taken:
        check_acceptable(conv.status)
    await _post(ctx, conv, Sender.SYSTEM, f"人工客服{agent}为您服务。")
    return conv


async def transfer(ctx: RequestContext, conversation_id: str, to_agent: str | None) -> Conversation:
    """To another agent by username, or back to the queue when none is named."""
    conv = await _visible(ctx, conversation_id, None)
    check_handler(conv.status, conv.agent, ctx.session.name if ctx.session else "")
    if to_agent is None:
        await _queue(ctx, conv)
        return await Conversation.get(id=conv.id)
    target = await StaffUser.get_or_none(username=to_agent)
    if target is None or target.role not in (StaffRole.AGENT, StaffRole.ADMIN):
        raise fail("NOT_FOUND", "No such agent.", "toAgent")
    await Conversation.filter(id=conv.id, status=S.AGENT, agent=conv.agent).update(agent=to_agent)
    conv = await Conversation.get(id=conv.id)
    await _post(ctx, conv, Sender.SYSTEM, f"已为您转接人工客服{to_agent}。")
    return conv


async def close(ctx: RequestContext, conversation_id: str, visitor: str | None) -> Conversation:
    """The agent who holds it closes it; the customer may close it any time."""
    conv = await _visible(ctx, conversation_id, visitor)
    check_open(conv.status)
    if not _owns(ctx, conv, visitor):
        check_handler(conv.status, conv.agent, ctx.session.name if ctx.session else "")
    await (
        Conversation.filter(id=conv.id)
        .exclude(status=S.CLOSED)
        .update(status=S.CLOSED, closed_at=ctx.now(), bot_resolved=conv.queued_at is None)
    )
    conv = await Conversation.get(id=conv.id)
    await _post(ctx, conv, Sender.SYSTEM, "本次会话已结束，欢迎对本次服务进行评价。")
    return conv


async def history(
    ctx: RequestContext, conversation_id: str, visitor: str | None, first: int | None,
    after: str | None,
) -> Page[ChatMessage]:  # fmt: skip
    conv = await _visible(ctx, conversation_id, visitor)
    return await keyset_page(ChatMessage.filter(conversation_id=conv.id), first, after, ("id",))


async def mine(ctx: RequestContext, subscriber_id: int, first: int | None, after: str | None):
    query = Conversation.filter(subscriber_id=subscriber_id)
    return await keyset_page(query, first, after, ("-started_at", "-id"))
