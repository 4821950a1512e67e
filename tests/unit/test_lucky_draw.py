"""The lucky draw's pure rules: commitments, rolls in range, the odds table walked in order."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.points.lucky_draw import (
    Prize,
    PrizeKind,
    check_may_draw,
    commitment_of,
    draw_day,
    pick,
    roll_of,
    seed_revealed,
    verify,
)

seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)
weights = st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=8)


def table(ws: list[int]) -> list[Prize]:
    return [Prize(f"P{i}", f"prize {i}", PrizeKind.POINTS, "1", w) for i, w in enumerate(ws)]


@given(seeds, st.text(max_size=40), weights)
def test_a_roll_is_in_range_and_picks_the_cumulative_line(seed, ticket, ws):
    total = sum(ws)
    roll = roll_of(seed, ticket, total)
    assert 0 <= roll < total
    prize = pick(table(ws), roll)
    index = int(prize.code[1:])
    assert sum(ws[:index]) <= roll < sum(ws[: index + 1])
    assert roll_of(seed, ticket, total) == roll  # the same seed and ticket, the same roll
    assert verify(seed, commitment_of(seed), ticket, table(ws), prize.code)


@given(seeds, seeds)
def test_another_seed_does_not_match_the_commitment(seed, other):
    assert commitment_of(seed) == hashlib.sha256(bytes.fromhex(seed)).hexdigest()
    if other != seed:
        assert not verify(other, commitment_of(seed), "t", table([1]), "P0")


def test_days_are_shanghai_days_and_the_seed_is_revealed_after():
    late = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January 2026 in Beijing
    assert draw_day(late) == "2026-01-01"
    assert not seed_revealed("2026-01-01", late)
    assert seed_revealed("2025-12-31", late)


def test_only_the_top_stage_within_the_daily_limit_may_draw():
    check_may_draw(5, 5, 0, 1)
    with pytest.raises(DomainError) as low:
        check_may_draw(4, 5, 0, 1)
    assert low.value.code == "STAGE_NOT_REACHED"
    with pytest.raises(DomainError) as done:
        check_may_draw(5, 5, 1, 1)
    assert done.value.code == "LIMIT_REACHED"
