"""Pure rules of call forwarding and international roaming."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.account_services import (
    ForwardingKind,
    ServiceState,
    check_forwarding_target,
    decide_roaming_open,
    tenure_months,
    with_forwarding,
)
from domain.accounts import SubscriberStatus
from domain.calendar import SHANGHAI
from domain.errors import DomainError

OWN = "13800000001"


def test_a_target_is_cleaned_and_must_not_be_the_own_number():
    assert check_forwarding_target("+86 139-0000-0002", OWN) == "13900000002"
    with pytest.raises(DomainError) as own:
        check_forwarding_target(OWN, OWN)
    assert own.value.code == "FORWARD_TO_OWN_NUMBER"
    for bad in ("12345", "10086", "2390000000x", ""):
        with pytest.raises(DomainError) as invalid:
            check_forwarding_target(bad, OWN)
        assert (
            invalid.value.code == "INVALID_MSISDN"
            and invalid.value.problems[0].field == "targetMsisdn"
        )


@given(
    st.lists(st.tuples(st.sampled_from(list(ForwardingKind)), st.none() | st.just("13900000002")))
)
def test_forwarding_keeps_one_target_per_kind_last_write_wins(changes):
    state = ServiceState()
    expected: dict = {}
    for kind, target in changes:
        state = with_forwarding(state, kind, target)
        expected.pop(kind, None)
        if target:
            expected[kind] = target
    assert dict(state.forwarding) == expected
    assert [k for k, _ in state.forwarding] == [k for k in ForwardingKind if k in expected]


def at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


def test_tenure_counts_whole_months_on_the_shanghai_calendar():
    assert tenure_months(at(2026, 1, 3), at(2026, 7, 3)) == 6
    assert tenure_months(at(2026, 1, 3), at(2026, 7, 2)) == 5
    assert tenure_months(at(2025, 12, 31), at(2026, 1, 1)) == 0
    assert tenure_months(at(2026, 1, 3), at(2026, 1, 2)) == 0


def decide(**kw):
    args = dict(
        real_name_verified=True,
        status=SubscriberStatus.ACTIVE,
        joined_at=at(2026, 1, 3),
        now=at(2026, 7, 3),
        min_tenure_months=6,
        deposit_fen=50_000,
    )
    args.update(kw)
    return decide_roaming_open(**args)


def test_roaming_opens_free_after_six_months_and_with_a_deposit_before():
    assert decide().deposit_fen == 0
    assert decide(now=at(2026, 7, 3) - timedelta(hours=1)).deposit_fen == 50_000


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"real_name_verified": False}, "NOT_VERIFIED"),
        ({"status": SubscriberStatus.SUSPENDED}, "NOT_ELIGIBLE"),
    ],
)
def test_roaming_needs_a_real_name_and_an_active_number(change, code):
    with pytest.raises(DomainError) as refused:
        decide(**change)
    assert refused.value.code == code
