"""When changes and add-ons take effect and end, in the Asia/Shanghai business calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.calendar import SHANGHAI, local
from domain.catalog import ValidityKind, add_calendar_months, change_effective_from, validity_end

pytestmark = pytest.mark.calendar

INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 1), timezones=st.just(UTC)
)


@st.composite
def month_ends(draw) -> datetime:
    """23:59:59(.999999) Shanghai on the last day of a month, December included."""
    year = draw(st.integers(2000, 2098))
    month = draw(st.integers(1, 12))
    first_next = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
    micro = draw(st.sampled_from([1, 1_000_000]))
    return (first_next - timedelta(microseconds=micro)).astimezone(UTC)


def _check(now: datetime) -> None:
    effective = change_effective_from(now)
    here, there = local(now), local(effective)
    assert effective > now
    assert (there.day, there.hour, there.minute, there.second, there.microsecond) == (1, 0, 0, 0, 0)
    # The first such instant: the month right after the one `now` is in.
    assert (there.year * 12 + there.month) - (here.year * 12 + here.month) == 1
    assert effective.utcoffset() == timedelta(0)


@given(INSTANTS)
@example(datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC))  # 23:59:59 on 31 Dec in Shanghai
@example(datetime(2026, 11, 30, 16, 0, 0, tzinfo=UTC))  # exactly 00:00 on 1 Dec in Shanghai
@example(datetime(2027, 2, 28, 15, 59, 59, tzinfo=UTC))
@example(datetime(2028, 2, 29, 15, 59, 59, tzinfo=UTC))
def test_effective_from_is_midnight_shanghai_on_the_first_strictly_after_now(now):
    _check(now)


@given(month_ends())
def test_effective_from_at_the_last_second_of_a_month(now):
    _check(now)


def test_effective_from_across_a_year_end():
    now = datetime(2026, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)
    assert change_effective_from(now) == datetime(2027, 1, 1, tzinfo=SHANGHAI)
    # 16:30 UTC on 31 December is already 00:30 on 1 January in Shanghai.
    assert change_effective_from(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == datetime(
        2027, 2, 1, tzinfo=SHANGHAI
    )


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime(2026, 8, 31, 10, tzinfo=SHANGHAI), 6, datetime(2027, 2, 28, 10, tzinfo=SHANGHAI)),
        (datetime(2027, 8, 31, 10, tzinfo=SHANGHAI), 6, datetime(2028, 2, 29, 10, tzinfo=SHANGHAI)),
        (
            datetime(2026, 11, 22, 0, 30, tzinfo=SHANGHAI),
            6,
            datetime(2027, 5, 22, 0, 30, tzinfo=SHANGHAI),
        ),
    ],
)
def test_calendar_months_clamp_to_the_end_of_a_short_month(start, months, end):
    assert add_calendar_months(start, months) == end


@given(INSTANTS)
def test_validity_ends(now):
    assert validity_end(ValidityKind.DAYS, 7, now) == now + timedelta(days=7)
    assert validity_end(ValidityKind.MONTH_END, 0, now) == change_effective_from(now)
    six = validity_end(ValidityKind.MONTHS, 6, now)
    assert now + timedelta(days=180) <= six <= now + timedelta(days=185)
    assert local(six).time() == local(now).time()
