"""The daily lucky draw of the growth tree's top stage (`domain.points.lucky_draw` says how a
draw is decided and verified). One transaction per draw, under the subscriber's row lock: the
daily count, the cost in points, the prize's stock (guarded update), the prize and the record.
The same idempotencyKey returns the first draw; the unique (subscriber, day, seq) backs the
daily limit up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.catalog import AddOn
from db.models.lucky_draw import DrawPrize, DrawSeed, LuckyDraw
from db.repositories import growth as growth_repo
from db.repositories import lucky_draw as repo
from db.repositories import points as points_repo
from db.repositories.allowance_grants import grant_add_on
from db.repositories.business_orders import lock_subscriber
from db.repositories.orders import check_key
from domain.errors import fail
from domain.points.growth import STAGES, stage_of
from domain.points.lucky_draw import (
    CONSOLATION,
    PrizeKind,
    check_may_draw,
    draw_day,
    pick,
    roll_of,
    seed_revealed,
    ticket_of,
)
from resolvers.context import RequestContext, Services

TOP_STAGE = STAGES[-1].number


@dataclass(frozen=True)
class DrawDay:
    day: str
    commitment: str
    seed: str | None  # revealed once the day is over


@dataclass(frozen=True)
class LuckyDrawView:
    day: str
    commitment: str
    cost_points: int
    daily_limit: int
    draws_left: int
    eligible: bool
    odds: list[DrawPrize]
    draws: list[LuckyDraw]


def _day(seed: DrawSeed, now: datetime) -> DrawDay:
    revealed = seed_revealed(seed.day, now)
    return DrawDay(seed.day, seed.commitment, seed.seed if revealed else None)


async def draw_day_of(day: str, now: datetime) -> DrawDay:
    """A day's commitment (today's and tomorrow's are committed on demand), its seed after."""
    today = draw_day(now)
    if len(day) != 10:
        raise fail("INVALID_ARGUMENT", "Give the day as YYYY-MM-DD.", "day")
    seed = await repo.seed_of(day, now, create=day == today)
    if seed is None:
        raise fail("NOT_FOUND", "No draw seed was committed for that day.", "day")
    return _day(seed, now)


async def lucky_draw_of(ctx: RequestContext, subscriber: Subscriber) -> LuckyDrawView:
    now = ctx.now()
    day = draw_day(now)
    seed = await repo.seed_of(day, now)
    assert seed is not None
    draws = await repo.draws_on(subscriber.id, day)
    limit = ctx.settings.lucky_draw_daily_limit
    value = await growth_repo.value_of(subscriber.id)
    return LuckyDrawView(
        day=day,
        commitment=seed.commitment,
        cost_points=ctx.settings.lucky_draw_cost_points,
        daily_limit=limit,
        draws_left=max(limit - len(draws), 0),
        eligible=stage_of(value).number >= TOP_STAGE,
        odds=await repo.odds(),
        draws=draws,
    )


async def _award(conn, prize: DrawPrize, subscriber_id: int, draw_id, now) -> None:
    if prize.kind is PrizeKind.POINTS:
        await points_repo.earn(
            conn, subscriber_id, f"DRAW-WIN:{draw_id}", int(prize.ref), now, note="每日抽奖奖励"
        )
    elif prize.kind is PrizeKind.DATA_PACK:
        add_on = await AddOn.get(id=prize.ref).using_db(conn)
        await grant_add_on(conn, subscriber_id, add_on, now, f"D{draw_id.hex}")


async def lucky_draw_spin(ctx: RequestContext, subscriber_id: int, key: str) -> LuckyDraw:
    key = check_key(key)
    if (found := await repo.draw_by_key(subscriber_id, key)) is not None:
        return found
    now = ctx.now()
    day = draw_day(now)
    seed = await repo.seed_of(day, now)  # committed (and published) before the draw is made
    assert seed is not None
    odds = await repo.odds()
    prizes = {p.id: p for p in odds}
    if CONSOLATION not in prizes:
        raise fail("NOT_AVAILABLE", "The lucky draw is closed.", None)
    total = sum(p.weight for p in odds)
    cost = ctx.settings.lucky_draw_cost_points
    draw_id = uuid4()
    try:
        async with in_transaction() as conn:
            subscriber = await lock_subscriber(conn, subscriber_id)
            if subscriber is None:
                raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
            if (found := await repo.draw_by_key(subscriber_id, key)) is not None:
                return found
            value = await growth_repo.value_of(subscriber_id, conn)
            done = len(await repo.draws_on(subscriber_id, day, conn))
            check_may_draw(
                stage_of(value).number, TOP_STAGE, done, ctx.settings.lucky_draw_daily_limit
            )
            if cost:
                await points_repo.redeem(
                    conn, subscriber_id, f"DRAW:{draw_id}", cost, now, note="每日抽奖"
                )
            ticket = ticket_of(day, subscriber.msisdn, done + 1)
            roll = roll_of(seed.seed, ticket, total)
            rolled = pick([repo.as_prize(p) for p in odds], roll)
            prize = prizes[rolled.code]
            if not await repo.take_prize(conn, prize.id):
                prize = prizes[CONSOLATION]  # that prize ran out: the record keeps what rolled
            await _award(conn, prize, subscriber_id, draw_id, now)
            draw = await LuckyDraw.create(
                id=draw_id,
                subscriber_id=subscriber_id,
                day=day,
                seq=done + 1,
                idempotency_key=key,
                ticket=ticket,
                roll=roll,
                weight_total=total,
                rolled=rolled.code,
                prize=prize.id,
                prize_name=prize.name,
                points_spent=cost,
                at=now,
                using_db=conn,
            )
    except IntegrityError:
        if (found := await repo.draw_by_key(subscriber_id, key)) is not None:
            return found
        raise fail(
            "LIMIT_REACHED", "You have had today's lucky draw(s): come back tomorrow.", None
        ) from None
    await ctx.services.sms.send(
        subscriber.msisdn,
        "LUCKY_DRAW",
        f"您参与了沃之树每日抽奖，消耗{cost}积分，结果：{prize.name}。",
    )
    return draw


async def commit_seeds(services: Services, now: datetime) -> int:
    """Commit today's and tomorrow's seeds ahead of any draw; returns how many were new."""
    made = 0
    for at in (now, now + timedelta(days=1)):
        day = draw_day(at)
        if await repo.seed_of(day, now, create=False) is None:
            await repo.seed_of(day, now)
            made += 1
    return made
