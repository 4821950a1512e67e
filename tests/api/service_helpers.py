"""Agents for the customer-service tests, and a graphql-transport-ws client."""

from __future__ import annotations

import json
import secrets

from db.models.accounts import StaffUser
from domain.accounts import StaffRole
from domain.sessions import Scope


async def agent_token(services, name: str | None = None) -> tuple[str, str]:
    name = name or f"agent-{secrets.token_hex(3)}"
    staff = await StaffUser.create(
        username=name, password_hash=services.hasher.hash("Agent#2026x"), role=StaffRole.AGENT
    )
    session = await services.stores.sessions.create(Scope.STAFF, staff.id, name, staff.role)
    return name, session.token


async def subscribe_ws(ws, op_id: str, query: str, **variables) -> None:
    await ws.send(json.dumps({
        "id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables},
    }))  # fmt: skip


async def next_message(ws) -> dict:
    message = json.loads(await ws.recv())
    assert message["type"] == "next", message
    return message["payload"]["data"]["chatMessages"]
