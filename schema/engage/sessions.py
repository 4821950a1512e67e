"""`me.sessions` and `sessionRevoke`: the subscriber sees where they are logged in and can end
any of those sessions."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.sessions import Capability
from resolvers import sessions
from schema.errors import UserError, payload
from schema.permissions import context, subscriber_session


@strawberry.type(name="LoginSession", description="One live session of the caller.")
class LoginSession:
    id: strawberry.ID = strawberry.field(description="Public id (not the token).")
    method: str = strawberry.field(
        description="How it was opened: PASSWORD, SMS_CODE, RANDOM_PASSWORD, QR or PASSKEY."
    )
    scope: str
    created_at: datetime | None
    last_seen_at: datetime | None
    ip_hash: str = strawberry.field(description="A keyed hash of the client address.")
    user_agent: str
    current: bool = strawberry.field(description="True for the session making this request.")


def _node(info, token: str) -> LoginSession:
    return LoginSession(
        id=strawberry.ID(info.id),
        method=info.method,
        scope=info.scope,
        created_at=info.created_at,
        last_seen_at=info.last_seen_at,
        ip_hash=info.ip_hash,
        user_agent=info.user_agent,
        current=info.token == token,
    )


@strawberry.type
class SubscriberSessionFields:
    @strawberry.field(description="Your live sessions, newest first.")
    async def sessions(self, info: Info) -> list[LoginSession]:
        session = subscriber_session(info, Capability.READ_BASIC)
        rows = await sessions.my_sessions(context(info), session)
        return [_node(r, session.token) for r in rows]


@strawberry.type
class SessionRevokePayload:
    session: LoginSession | None = None
    user_errors: list[UserError]


@strawberry.input
class SessionRevokeInput:
    id: strawberry.ID


@strawberry.type
class SessionMutation:
    @strawberry.mutation(description="End one of your sessions at once (it may be this one).")
    async def session_revoke(self, info: Info, input: SessionRevokeInput) -> SessionRevokePayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            gone = await sessions.session_revoke(context(info), session, str(input.id))
            return {"session": _node(gone, session.token)}

        return await payload(SessionRevokePayload, work)
