"""Passkeys: register with a FULL session, log in with one (a FULL session, no captcha), list and
remove them. Options and credentials travel as the JSON the browser/app WebAuthn API uses."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.sessions import Capability
from resolvers import passkeys
from schema.permissions import subscriber_session


@strawberry.type(description="A registered WebAuthn credential (fingerprint or face login).")
class Passkey:
    id: strawberry.ID
    name: str
    created_at: datetime
    last_used_at: datetime | None


def passkey_node(row) -> Passkey:
    return Passkey(
        id=strawberry.ID(str(row.id)),
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


@strawberry.type
class SubscriberPasskeyFields:
    @strawberry.field(description="Your passkeys, newest first.")
    async def passkeys(self, info: Info) -> list[Passkey]:
        session = subscriber_session(info, Capability.READ_BASIC)
        return [passkey_node(p) for p in await passkeys.my_passkeys(session.subject_id)]
