from __future__ import annotations

from db.models.accounts import Notification
from db.repositories.outbox import outbox_for
from resolvers.context import RequestContext


async def outbox(msisdn: str, limit: int) -> list[Notification]:
    return await outbox_for(msisdn, limit)


async def captcha_answer(ctx: RequestContext, captcha_id: str) -> str | None:
    return await ctx.stores.captchas.peek(captcha_id)
