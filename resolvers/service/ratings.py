"""A customer rates a closed conversation once; operators read the figures."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from db.models.service import Conversation
from domain.calendar import SHANGHAI
from domain.errors import fail
from domain.service.conversations import check_rating
from resolvers.context import RequestContext
from resolvers.service.chat import visible

MAX_DAYS = 92


async def rate(
    ctx: RequestContext, conversation_id: str, visitor: str | None, stars: int, tags: list[str],
    comment: str,
) -> Conversation:  # fmt: skip
    conv = await visible(ctx, conversation_id, visitor)
    if conv.subscriber_id is not None and not (
        ctx.session and ctx.session.is_subscriber and ctx.session.subject_id == conv.subscriber_id
    ):
        raise fail("NOT_FOUND", "No such conversation.", "conversationId")
    rating = check_rating(conv.status, conv.rated_at, stars, tags, comment)
    done = await Conversation.filter(id=conv.id, rated_at=None).update(
        rating=rating.stars, rating_tags=list(rating.tags), rating_comment=rating.comment,
        rated_at=ctx.now(),
    )  # fmt: skip
    if not done:
        raise fail("ALREADY_RATED", "This conversation was rated already.")
    return await Conversation.get(id=conv.id)


@dataclass(frozen=True)
class Figures:
    key: str  # an agent's username, or a Shanghai date
    conversations: int
    bot_resolved_share: float
    median_wait_seconds: float | None
    median_handling_seconds: float | None
    average_rating: float | None


def _figures(key: str, rows: list[Conversation]) -> Figures:
    waits = [
        (c.accepted_at - c.queued_at).total_seconds() for c in rows if c.accepted_at and c.queued_at
    ]
    handling = [
        (c.closed_at - c.accepted_at).total_seconds() for c in rows if c.closed_at and c.accepted_at
    ]
    ratings = [c.rating for c in rows if c.rating is not None]
    return Figures(
        key=key,
        conversations=len(rows),
        bot_resolved_share=sum(c.bot_resolved for c in rows) / len(rows) if rows else 0.0,
        median_wait_seconds=statistics.median(waits) if waits else None,
        median_handling_seconds=statistics.median(handling) if handling else None,
        average_rating=round(statistics.fmean(ratings), 2) if ratings else None,
    )  # fmt: skip


@dataclass(frozen=True)
class ServiceStats:
    total: Figures
    per_agent: list[Figures]
    per_day: list[Figures]


async def stats(start: datetime, end: datetime) -> ServiceStats:
    """Conversations started in [start, end)."""
    if end <= start or (end - start).days > MAX_DAYS:
        raise fail("INVALID_ARGUMENT", f"`to` is after `from`, at most {MAX_DAYS} days.", "to")
    rows = await Conversation.filter(started_at__gte=start, started_at__lt=end)
    agents: dict[str, list[Conversation]] = defaultdict(list)
    days: dict[date, list[Conversation]] = defaultdict(list)
    for conv in rows:
        if conv.agent:
            agents[conv.agent].append(conv)
        days[conv.started_at.astimezone(SHANGHAI).date()].append(conv)
    return ServiceStats(
        total=_figures("total", rows),
        per_agent=[_figures(a, agents[a]) for a in sorted(agents)],
        per_day=[_figures(d.isoformat(), days[d]) for d in sorted(days)],
    )
