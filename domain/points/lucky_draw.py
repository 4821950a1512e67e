"""The daily lucky draw (每日抽奖) of the growth tree's top stage: provably fair.

Each Shanghai day has a server seed (32 random bytes). Its commitment, sha256(seed), is
published before the day's first draw (`luckyDrawDay(day)` and `me.luckyDraw`); the seed itself
is revealed once the day is over. A draw's outcome is fixed by the seed and the draw's ticket,
`"{day}|{msisdn}|{seq}"` (seq = the caller's n-th draw that day):

    roll = int.from_bytes(HMAC-SHA256(key=seed, msg=ticket)[:8], "big") % weight_total

and the prize is the first in the published odds table (in its order) whose cumulative weight
exceeds `roll`. Anyone holding the revealed seed recomputes every draw with `verify`. A prize
whose stock ran out is recorded as rolled and replaced by the consolation prize (the record
says so), so the roll itself never depends on stock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.calendar import local
from domain.errors import fail


class PrizeKind(StrEnum):
    POINTS = "POINTS"
    DATA_PACK = "DATA_PACK"
    NOTHING = "NOTHING"  # 谢谢参与


@dataclass(frozen=True)
class Prize:
    code: str
    name: str
    kind: PrizeKind
    ref: str  # points as text, or the add-on id of a data pack
    weight: int


CONSOLATION = "NONE"


def draw_day(at: datetime) -> str:
    """The Shanghai calendar day a draw at `at` belongs to, YYYY-MM-DD."""
    return local(at).date().isoformat()


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment_of(seed_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def ticket_of(day: str, msisdn: str, seq: int) -> str:
    return f"{day}|{msisdn}|{seq}"


def roll_of(seed_hex: str, ticket: str, weight_total: int) -> int:
    if weight_total <= 0:
        raise ValueError("an odds table needs a positive total weight")
    digest = hmac.new(bytes.fromhex(seed_hex), ticket.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % weight_total


def pick(odds: Sequence[Prize], roll: int) -> Prize:
    running = 0
    for prize in odds:
        running += prize.weight
        if roll < running:
            return prize
    raise ValueError("the roll is beyond the odds table")


def verify(
    seed_hex: str, commitment: str, ticket: str, odds: Sequence[Prize], rolled_code: str
) -> bool:
    """Did this seed match its commitment, and does it give this ticket this prize?"""
    if commitment_of(seed_hex) != commitment:
        return False
    total = sum(p.weight for p in odds)
    return pick(odds, roll_of(seed_hex, ticket, total)).code == rolled_code


def check_may_draw(stage: int, top_stage: int, draws_today: int, daily_limit: int) -> None:
    if stage < top_stage:
        raise fail(
            "STAGE_NOT_REACHED",
            "The daily lucky draw is for trees at the top stage (参天大树).",
            None,
        )
    if draws_today >= daily_limit:
        raise fail(
            "LIMIT_REACHED",
            f"You have had today's {daily_limit} lucky draw(s): come back tomorrow.",
            None,
        )


def seed_revealed(day: str, now: datetime) -> bool:
    """A day's seed is revealed once that day is over in Shanghai."""
    return day < draw_day(now)
