"""Dev and test only (absent from the prod schema): what a phone would receive, so clients and
tests can log in without a real handset."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from resolvers import dev
from schema.permissions import context


@strawberry.type
class OutboxMessage:
    kind: str
    text: str
    created_at: datetime


@strawberry.type
class Dev:
    @strawberry.field(description="Newest first: SMS queued for this number.")
    async def outbox(self, msisdn: str, first: int = 20) -> list[OutboxMessage]:
        return await dev.outbox(msisdn, min(max(first, 1), 100))

    @strawberry.field(description="The answer of a live captcha, without using it up.")
    async def captcha_answer(self, info: Info, id: str) -> str | None:
        return await dev.captcha_answer(context(info), id)


@strawberry.type
class DevQuery:
    @strawberry.field(description="Dev/test helpers; never present in production.")
    def dev(self) -> Dev:
        return Dev()
