"""Shopping festivals: create one, list them, load one by id (through the request's loader)."""

from __future__ import annotations

import secrets
from datetime import datetime

from tortoise.transactions import in_transaction

from db.models.promotions import Festival as FestivalRow
from db.repositories import promotions as repo
from domain.promotions import model as promo
from domain.sessions import Session
from resolvers.context import RequestContext
from resolvers.loaders import by_id, loader
from resolvers.pagination import Page, keyset_page
from resolvers.promotions.changes import actor_of, changed
from resolvers.promotions.checks import MAX_DESCRIPTION, MAX_NAME, aware, text
from resolvers.promotions.views import FestivalView, festival_view


async def festival_create(
    ctx: RequestContext,
    session: Session,
    name: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
) -> FestivalView:
    now = ctx.now()
    festival = promo.Festival(
        id=f"fest-{secrets.token_hex(5)}",
        name=text(name, "name", MAX_NAME, required=True),
        description=text(description, "description", MAX_DESCRIPTION),
        starts_at=aware(starts_at, "startsAt"),
        ends_at=aware(ends_at, "endsAt"),
    )
    actor, actor_id = actor_of(session)
    async with in_transaction() as conn:
        row = await repo.create_festival(conn, festival, actor, actor_id, now)
    await changed(ctx)
    return festival_view(row, now)


async def festivals_page(first: int | None, after: str | None, now: datetime) -> Page[FestivalView]:
    page = await keyset_page(repo.festivals(), first, after, ("-starts_at", "-id"))
    return page.map(lambda row: festival_view(row, now))


async def festival_by_id(ctx: RequestContext, festival_id: str) -> FestivalView | None:
    found = await loader(ctx, "festival", lambda: by_id(FestivalRow)).load(festival_id)
    return festival_view(found, ctx.now()) if found is not None else None
