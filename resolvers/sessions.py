"""A subscriber's own sessions: list them (which device, since when, last seen) and revoke one.
A revoked session's token stops working on its very next request (the key is gone)."""

from __future__ import annotations

from db.stores.sessions import SessionInfo
from domain.errors import fail
from domain.sessions import Session
from resolvers.context import RequestContext


async def my_sessions(ctx: RequestContext, session: Session) -> list[SessionInfo]:
    return await ctx.stores.sessions.list_for(session.scope, session.subject_id)


async def session_revoke(ctx: RequestContext, session: Session, public_id: str) -> SessionInfo:
    mine = await my_sessions(ctx, session)
    target = next((s for s in mine if s.id == (public_id or "").strip()), None)
    if target is None:
        raise fail("SESSION_NOT_FOUND", "No session of yours has this id.", "id")
    await ctx.stores.sessions.revoke_by_id(session.scope, session.subject_id, target.id)
    return target
