"""Shared plan rules: who may join, when a main change applies, and group rating that never
charges or draws a unit twice."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts import SubscriberStatus
from domain.allowances import AllowanceKind
from domain.calendar import SHANGHAI
from domain.errors import DomainError
from domain.rating import BucketState, Rates, UsageEvent, UsageKind, billable_quantity
from domain.shared_plan import (
    MAX_MEMBERS,
    MemberEvent,
    check_member_addable,
    main_change_effective,
    rate_group,
)

MAIN = "13800000001"
START = datetime(2026, 10, 31, 16, tzinfo=UTC)
END = datetime(2026, 11, 30, 16, tzinfo=UTC)


def addable(**kw):
    args = dict(
        main_msisdn=MAIN,
        member_msisdn="13900000002",
        member_status=SubscriberStatus.ACTIVE,
        member_in_a_group=False,
        members_now=0,
    )
    args.update(kw)
    check_member_addable(**args)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"member_msisdn": MAIN}, "INVALID_ARGUMENT"),
        ({"member_status": None}, "NOT_FOUND"),
        ({"member_status": SubscriberStatus.CLOSED}, "SHARED_MEMBER_NOT_ELIGIBLE"),
        ({"member_in_a_group": True}, "SHARED_MEMBER_IN_GROUP"),
        ({"members_now": MAX_MEMBERS}, "SHARED_GROUP_FULL"),
    ],
)
def test_who_may_not_join(change, code):
    with pytest.raises(DomainError) as refused:
        addable(**change)
    assert refused.value.code == code


def test_a_member_may_join_and_a_main_change_waits_for_the_first():
    addable(members_now=MAX_MEMBERS - 1)
    at = datetime(2026, 11, 22, 9, tzinfo=SHANGHAI)
    assert main_change_effective(at) == datetime(2026, 12, 1, tzinfo=SHANGHAI)


MEMBERS = [MAIN, "13900000002", "13900000003"]


@given(
    shared_total=st.integers(0, 500),
    own_total=st.integers(0, 100),
    calls=st.lists(
        st.tuples(st.sampled_from(MEMBERS), st.integers(1, 3_600), st.integers(0, 29 * 24 * 60)),
        max_size=25,
    ),
)
def test_group_rating_never_draws_or_charges_twice(shared_total, own_total, calls):
    shared = [BucketState(1, AllowanceKind.VOICE, shared_total, 0, START, END)]
    own = {"13900000002": [BucketState(2, AllowanceKind.VOICE, own_total, 0, START, END)]}
    events = [
        MemberEvent(
            m, UsageEvent(f"e{i}", UsageKind.VOICE, START + timedelta(minutes=t), seconds=s)
        )
        for i, (m, s, t) in enumerate(calls)
    ]
    rates = Rates()
    result = rate_group(events, shared, own, rates)
    by_id = {b.id: b for b in result.buckets}
    demand = sum(billable_quantity(e.event) for e in events)
    drawn = sum(d.amount for _, r in result.ratings for d in r.draws)
    overflow = sum(r.overflow for _, r in result.ratings)
    assert drawn + overflow == demand  # every minute is drawn once or paid once
    assert (
        by_id[1].used
        == sum(d.amount for _, r in result.ratings for d in r.draws if d.bucket_id == 1)
        <= shared_total
    )
    assert by_id[2].used <= own_total
    # only its owner draws an own bucket
    for item, r in result.ratings:
        if any(d.bucket_id == 2 for d in r.draws):
            assert item.member == "13900000002"
    # overflow only once the member's visible allowance is gone
    assert sum(r.charge_fen for _, r in result.ratings) == overflow * rates.voice_fen_per_minute
    if overflow:
        assert by_id[1].used == shared_total
    shares = result.breakdown([1])
    assert sum(s.shared_drawn for s in shares.values()) == by_id[1].used
    assert sum(s.charge_fen for s in shares.values()) == overflow * rates.voice_fen_per_minute
