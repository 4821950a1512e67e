from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.promotions.horizon import SLACK, check_preview_instant, considered_from

pytestmark = pytest.mark.calendar

NOW = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@given(asked=instants, at=instants)
def test_a_quote_explains_what_is_current_at_the_earlier_instant(asked, at):
    start = considered_from(asked, at)
    assert start == min(asked, at) - SLACK
    assert start <= asked and start <= at


def test_a_quote_now_explains_campaigns_that_ended_just_before_the_reload():
    assert considered_from(NOW, NOW) == NOW - timedelta(minutes=1)


@pytest.mark.parametrize("years", [-6, 6])
def test_far_instants_are_refused(years):
    with pytest.raises(DomainError) as raised:
        check_preview_instant(NOW + timedelta(days=366 * years), NOW)
    assert raised.value.code == "INVALID_INSTANT"


def test_near_instants_pass():
    at = NOW + timedelta(days=365 * 4)
    assert check_preview_instant(at, NOW) == at
