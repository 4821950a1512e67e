"""Who may call what. Resolvers receive an already-authorised session.

Staff-only fields and mutations declare their role on the field, so the SDL code and a test can
see it: `@strawberry.field(permission_classes=MARKETING)` (or OPERATOR). The check runs before
the resolver and raises the same GraphQL errors as `staff_session` (UNAUTHENTICATED without a
session, FORBIDDEN without the role; ADMIN holds every role); inside, `session_of(info)` is the
caller's session. Subscriber capabilities are checked with `subscriber_session(info, …)`."""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission
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


def session_of(info: Info) -> Session:
    """The session a declared permission has already let through."""
    return _session(info)


class StaffPermission(BasePermission):
    """A staff-only field: the caller's session must hold one of `roles`."""

    roles: ClassVar[tuple[StaffRole, ...]] = ()

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        # Raises itself: the error says why (no session, expired session, missing role), which
        # BasePermission's one fixed message could not.
        staff_session(info, *self.roles)
        return True


class MarketingOnly(StaffPermission):
    roles = (StaffRole.MARKETING,)


class OperatorOnly(StaffPermission):
    roles = (StaffRole.OPERATOR,)


MARKETING: list[type[BasePermission]] = [MarketingOnly]
OPERATOR: list[type[BasePermission]] = [OperatorOnly]


class AgentOnly(StaffPermission):
    roles = (StaffRole.AGENT,)


AGENT: list[type[BasePermission]] = [AgentOnly]


class ServiceStaff(StaffPermission):
    roles = (StaffRole.AGENT, StaffRole.OPERATOR)


AGENT_OR_OPERATOR: list[type[BasePermission]] = [ServiceStaff]
