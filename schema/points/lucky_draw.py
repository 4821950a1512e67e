"""The daily lucky draw (每日抽奖): `me.luckyDraw`, `luckyDrawDay(day)` (public: a day's
commitment, and its seed once the day is over) and `luckyDrawSpin`."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from domain.points.lucky_draw import PrizeKind
from domain.sessions import Capability
from resolvers import lucky_draw
from schema.errors import UserError, client_error, payload
from schema.permissions import context, subscriber_session

PrizeKindEnum = strawberry.enum(PrizeKind, name="LuckyDrawPrizeKind")


@strawberry.type(description="A line of the published odds table.")
class LuckyDrawPrize:
    code: str
    name: str
    kind: PrizeKindEnum
    weight: int = strawberry.field(description="Chance = weight / the table's total weight.")
    stock: int | None = strawberry.field(description="Prizes left; null: unlimited.")


@strawberry.type(
    description="One draw. Verify it once the day's seed is revealed: roll = first 8 bytes of "
    "HMAC-SHA256(key=seed, msg=ticket), big-endian, mod weightTotal; the rolled prize is the "
    "first in the odds table whose cumulative weight exceeds roll."
)
class LuckyDrawResult:
    id: strawberry.ID
    day: str
    seq: int
    ticket: str = strawberry.field(description="day|msisdn|seq: the message the seed signs.")
    roll: int
    weight_total: int
    rolled: str = strawberry.field(description="The prize code the roll gives.")
    prize: str = strawberry.field(description="The prize given (the consolation if it ran out).")
    prize_name: str
    points_spent: int
    at: datetime


@strawberry.type(description="A day's committed seed: sha256(seed) before, the seed after.")
class LuckyDrawDay:
    day: str
    commitment: str
    seed: str | None = strawberry.field(description="Hex; revealed once the day is over.")


@strawberry.type(description="Today's lucky draw for the growth tree's top stage.")
class LuckyDraw:
    day: str = strawberry.field(description="The Shanghai calendar day, YYYY-MM-DD.")
    commitment: str = strawberry.field(description="sha256 (hex) of today's seed.")
    cost_points: int
    daily_limit: int
    draws_left: int
    eligible: bool = strawberry.field(description="The tree is at the top stage.")
    odds: list[LuckyDrawPrize]
    draws: list[LuckyDrawResult] = strawberry.field(description="Today's draws.")


def _prize(row) -> LuckyDrawPrize:
    return LuckyDrawPrize(
        code=row.id, name=row.name, kind=row.kind, weight=row.weight, stock=row.stock
    )


@strawberry.type
class SubscriberLuckyDrawFields:
    @strawberry.field(description="Today's lucky draw: readable by LIMITED sessions too.")
    async def lucky_draw(self, info: Info) -> LuckyDraw:
        subscriber_session(info, Capability.READ_BASIC)
        view = await lucky_draw.lucky_draw_of(context(info), self)  # type: ignore[arg-type]
        return LuckyDraw(
            day=view.day,
            commitment=view.commitment,
            cost_points=view.cost_points,
            daily_limit=view.daily_limit,
            draws_left=view.draws_left,
            eligible=view.eligible,
            odds=[_prize(p) for p in view.odds],
            draws=view.draws,  # type: ignore[arg-type]
        )


@strawberry.type
class LuckyDrawQuery:
    @strawberry.field(
        description="Public: a day's seed commitment, and the seed once the day is over."
    )
    async def lucky_draw_day(self, info: Info, day: str) -> LuckyDrawDay | None:
        try:
            found = await lucky_draw.draw_day_of(day.strip(), context(info).now())
        except DomainError as error:
            raise client_error(error) from None
        return LuckyDrawDay(day=found.day, commitment=found.commitment, seed=found.seed)


@strawberry.type
class LuckyDrawSpinPayload:
    draw: LuckyDrawResult | None = None
    user_errors: list[UserError]


@strawberry.type
class LuckyDrawMutation:
    @strawberry.mutation(
        description="Draw once (top stage only, costs points, daily limit); the same "
        "idempotencyKey returns the first draw."
    )
    async def lucky_draw_spin(self, info: Info, idempotency_key: str) -> LuckyDrawSpinPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            draw = await lucky_draw.lucky_draw_spin(
                context(info), session.subject_id, idempotency_key
            )
            return {"draw": draw}

        return await payload(LuckyDrawSpinPayload, work)
