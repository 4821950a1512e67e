"""What every marketing change shares: who made it, and telling every worker after it commits."""

from __future__ import annotations

from domain.sessions import Session
from resolvers import promotion_index
from resolvers.context import RequestContext


def actor_of(session: Session) -> tuple[str, int | None]:
    return session.name, session.subject_id


async def changed(ctx: RequestContext) -> None:
    """After a committed change: every worker reloads its campaign index on its next quote."""
    await ctx.stores.campaign_caps.bump_version()
    promotion_index.forget(ctx.services)
