"""Who may call what. Resolvers receive an already-authorised session."""

from __future__ import annotations

from strawberry.types import Info

from domain.accounts import StaffRole
from domain.sessions import Capability, Session
from resolvers.context import RequestContext
from schema.errors import forbidden, unauthenticated


def context(info: Info) -> RequestContext:
    return info.context


def _session(info: Info) -> Session:
    ctx = context(info)
    if ctx.session is None:
        if ctx.token_rejected:
            raise unauthenticated("Your session has expired or was revoked; log in again.")
        raise unauthenticated()
    return ctx.session


def subscriber_session(info: Info, capability: Capability = Capability.TRANSACT) -> Session:
    session = _session(info)
    if not session.is_subscriber:
        raise forbidden("This needs a subscriber session.")
    if not session.may(capability):
        raise forbidden("A random-password session may only read the basics and recharge.")
    return session


def staff_session(info: Info, *roles: StaffRole) -> Session:
    session = _session(info)
    if not session.has_role(*roles):
        raise forbidden(f"This needs a staff role: {', '.join(r.value for r in roles)}.")
    return session
