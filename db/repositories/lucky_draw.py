"""Lucky-draw seeds (one per day: the unique day decides a race), the odds table, prize stock
(a guarded update) and the draws."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from db.models.lucky_draw import DrawPrize, DrawSeed, LuckyDraw
from domain.calendar import as_utc
from domain.points.lucky_draw import Prize, commitment_of, new_seed


async def seed_of(day: str, now: datetime, *, create: bool = True) -> DrawSeed | None:
    """The day's seed, committed on first need; concurrent callers all get the same one."""
    found = await DrawSeed.get_or_none(day=day)
    if found is not None or not create:
        return found
    seed = new_seed()
    await DrawSeed.bulk_create(
        [DrawSeed(day=day, seed=seed, commitment=commitment_of(seed), committed_at=as_utc(now))],
        ignore_conflicts=True,
    )
    return await DrawSeed.get(day=day)


async def odds() -> list[DrawPrize]:
    return await DrawPrize.all().order_by("position", "id")


def as_prize(row: DrawPrize) -> Prize:
    return Prize(row.id, row.name, row.kind, row.ref, row.weight)


async def take_prize(conn: BaseDBAsyncClient, code: str) -> bool:
    """One unit of a prize with stock (unlimited prizes always succeed)."""
    row = await DrawPrize.get(id=code).using_db(conn)
    if row.stock is None:
        return True
    return bool(
        await DrawPrize.filter(id=code, stock__gte=1).using_db(conn).update(stock=F("stock") - 1)
    )


async def draws_on(subscriber_id: int, day: str, conn: BaseDBAsyncClient | None = None):
    query = LuckyDraw.filter(subscriber_id=subscriber_id, day=day).order_by("seq")
    return await (query.using_db(conn) if conn else query)


async def draw_by_key(subscriber_id: int, key: str) -> LuckyDraw | None:
    return await LuckyDraw.get_or_none(subscriber_id=subscriber_id, idempotency_key=key)
