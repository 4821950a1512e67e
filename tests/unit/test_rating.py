"""Properties of the pure rating core (domain.rating)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.allowances import AllowanceKind
from domain.money import div_half_up
from domain.rating import (
    DEFAULT_RATES,
    BucketState,
    Direction,
    Rates,
    RoamingRate,
    UsageEvent,
    UsageKind,
    billable_quantity,
    data_charge,
    draw_order,
    overflow_key,
    rate_all,
    rate_event,
)

START = datetime(2026, 9, 30, 16, tzinfo=UTC)  # 2026-10-01 00:00 Shanghai
END = datetime(2026, 10, 31, 16, tzinfo=UTC)


def bucket(i: int, kind: AllowanceKind, total: int, used: int = 0, days: int = 31) -> BucketState:
    return BucketState(i, kind, total, used, START, START + timedelta(days=days), "PLAN", f"b{i}")


kinds = st.sampled_from(list(AllowanceKind))
buckets_st = st.lists(
    st.builds(
        lambda i, k, total, used_share, days: bucket(
            i, k, total, min(total, total * used_share // 100), days
        ),
        st.integers(1, 10_000),
        kinds,
        st.integers(0, 200_000),
        st.integers(0, 100),
        st.integers(1, 31),
    ),
    max_size=6,
    unique_by=lambda b: b.id,
)


@st.composite
def events_st(draw, min_size=0, max_size=25, whole_cycle=False):
    out = []
    for n in range(draw(st.integers(min_size, max_size))):
        kind = draw(st.sampled_from(list(UsageKind)))
        offset = draw(st.integers(0, 30 * 86400 if whole_cycle else 86400 * 29))
        out.append(
            UsageEvent(
                event_id=f"e{n}",
                kind=kind,
                occurred_at=START + timedelta(seconds=offset),
                direction=draw(st.sampled_from(list(Direction))),
                seconds=draw(st.integers(0, 7200)),
                count=draw(st.integers(1, 5)),
                bytes=draw(st.integers(0, 300 * 1024 * 1024)),
                amount_fen=draw(st.integers(1, 5000)),
            )
        )
    return out


rates_st = st.builds(
    Rates,
    voice_fen_per_minute=st.integers(0, 100),
    sms_fen_per_message=st.integers(0, 100),
    mms_fen_per_message=st.integers(0, 100),
    data_fen_per_mb=st.integers(0, 500),
    wlan_fen_per_minute=st.integers(0, 50),
)


def test_declared_units():
    at = START + timedelta(days=1)
    assert billable_quantity(UsageEvent("a", UsageKind.VOICE, at, seconds=61)) == 2
    assert billable_quantity(UsageEvent("a", UsageKind.VOICE, at, seconds=60)) == 1
    assert billable_quantity(UsageEvent("a", UsageKind.VOICE, at, seconds=0)) == 0
    incoming = UsageEvent("a", UsageKind.VOICE, at, direction=Direction.IN, seconds=600)
    assert billable_quantity(incoming) == 0
    assert billable_quantity(UsageEvent("a", UsageKind.DATA, at, bytes=1)) == 1
    assert billable_quantity(UsageEvent("a", UsageKind.DATA, at, bytes=2048)) == 2
    assert billable_quantity(UsageEvent("a", UsageKind.SMS, at, count=3)) == 3


def test_design_rates_and_rounding():
    at = START + timedelta(days=1)
    none: list[BucketState] = []
    assert rate_event(UsageEvent("a", UsageKind.VOICE, at, seconds=61), none).charge_fen == 30
    assert rate_event(UsageEvent("a", UsageKind.SMS, at, count=1), none).charge_fen == 10
    one_mb = UsageEvent("a", UsageKind.DATA, at, bytes=1024 * 1024)
    assert rate_event(one_mb, none).charge_fen == 30
    # half a KB rounds up to 1 KB; 1 KB is 30/1024 fen, which rounds half-up to 0 alone …
    assert rate_event(UsageEvent("a", UsageKind.DATA, at, bytes=512), none).charge_fen == 0
    # … but the cycle's cumulative overflow is what is rounded: 18 KB → round(540/1024) = 1
    assert data_charge(18) == 1 and data_charge(17) == 0


def test_draw_order_earliest_expiry_then_id():
    a = bucket(5, AllowanceKind.DATA, 100, days=31)
    b = bucket(3, AllowanceKind.DATA, 100, days=7)
    c = bucket(2, AllowanceKind.DATA, 100, days=31)
    d = bucket(1, AllowanceKind.VOICE, 100, days=1)
    assert [x.id for x in draw_order([a, b, c, d], AllowanceKind.DATA, START)] == [3, 2, 5]
    expired = START + timedelta(days=8)
    assert [x.id for x in draw_order([a, b, c], AllowanceKind.DATA, expired)] == [2, 5]


@given(events=events_st(), buckets=buckets_st, rates=rates_st)
@settings(max_examples=200, deadline=None)
def test_draws_never_exceed_totals(events, buckets, rates):
    ratings, after = rate_all(events, buckets, rates)
    by_id = {b.id: b for b in buckets}
    for b in after:
        assert 0 <= b.used <= b.total
        assert b.used >= by_id[b.id].used
    for event, rating in zip(events, ratings, strict=True):
        assert rating.drawn + rating.overflow == rating.quantity or (
            event.kind is UsageKind.VALUE_ADDED
        )
        assert all(d.amount > 0 for d in rating.draws)
    drawn = sum(r.drawn for r in ratings)
    assert drawn == sum(b.used for b in after) - sum(b.used for b in buckets)


@given(events=events_st(), buckets=buckets_st, rates=rates_st)
@settings(max_examples=200, deadline=None)
def test_overflow_charge_is_rate_times_overflow(events, buckets, rates):
    ratings, _ = rate_all(events, buckets, rates)
    data_overflow = 0
    data_fen = 0
    for event, r in zip(events, ratings, strict=True):
        if event.kind is UsageKind.VOICE:
            assert r.charge_fen == r.overflow * rates.voice_fen_per_minute
        elif event.kind is UsageKind.SMS:
            assert r.charge_fen == r.overflow * rates.sms_fen_per_message
        elif event.kind is UsageKind.MMS:
            assert r.charge_fen == r.overflow * rates.mms_fen_per_message
        elif event.kind is UsageKind.WLAN:
            assert r.charge_fen == r.overflow * rates.wlan_fen_per_minute
        elif event.kind is UsageKind.VALUE_ADDED:
            assert r.charge_fen == event.amount_fen
        else:
            data_overflow += r.overflow
            data_fen += r.charge_fen
            # each record is within one fen of its exact pro-rata share
            exact = r.overflow * rates.data_fen_per_mb / 1024
            assert abs(r.charge_fen - exact) <= 1
    # the declared single rounding, on the cycle's cumulative data overflow
    assert data_fen == div_half_up(data_overflow * rates.data_fen_per_mb, 1024)


@given(events=events_st(max_size=30, whole_cycle=True), data=st.data(), rates=rates_st)
@settings(max_examples=200, deadline=None)
def test_event_order_within_a_cycle_does_not_change_the_total(events, data, rates):
    """Linear tariffs (every rate per unit) and allowances valid all cycle long."""
    buckets = [
        bucket(1, AllowanceKind.DATA, data.draw(st.integers(0, 500_000))),
        bucket(2, AllowanceKind.DATA, data.draw(st.integers(0, 200_000))),
        bucket(3, AllowanceKind.VOICE, data.draw(st.integers(0, 300))),
        bucket(4, AllowanceKind.SMS, data.draw(st.integers(0, 30))),
    ]
    shuffled = data.draw(st.permutations(events))
    first, _ = rate_all(events, buckets, rates)
    second, _ = rate_all(shuffled, buckets, rates)
    assert sum(r.charge_fen for r in first) == sum(r.charge_fen for r in second)
    assert sum(r.overflow for r in first) == sum(r.overflow for r in second)


def test_rates_overrides_are_checked():
    assert Rates.with_overrides({"data_fen_per_mb": 20, "bogus": 1, "sms_fen_per_message": -1}) == (
        Rates(data_fen_per_mb=20)
    )
    assert Rates.with_overrides(None) == DEFAULT_RATES


# --- roaming rates ---------------------------------------------------------------------------
_ROAMING = (RoamingRate("HMT", 50, 99, 50), RoamingRate("EU", 150, 299, 100))


def _roam_rates() -> Rates:
    return Rates().with_roaming(_ROAMING)


def test_roaming_overflow_is_charged_at_the_zone_rates_and_never_at_home():
    rates = _roam_rates()
    assert rates.for_zone(None) is rates
    hmt = rates.for_zone("HMT")
    assert (hmt.data_fen_per_mb, hmt.voice_fen_per_minute, hmt.sms_fen_per_message) == (50, 99, 50)
    unknown = rates.for_zone("MARS")
    assert unknown.data_fen_per_mb >= 150 and unknown.voice_fen_per_minute >= 299


@given(
    st.lists(
        st.tuples(st.sampled_from([None, "HMT", "EU"]), st.integers(1, 5 * 1024 * 1024)),
        min_size=1,
        max_size=12,
    )
)
def test_roaming_and_home_data_round_apart_and_add_up(sessions):
    """Each zone's cycle total is one rounding of its own overflow at its own rate."""
    at = datetime(2026, 11, 10, 12, tzinfo=UTC)
    events = [
        UsageEvent(f"e{i}", UsageKind.DATA, at, bytes=size, roaming_zone=zone)
        for i, (zone, size) in enumerate(sessions)
    ]
    rates = _roam_rates()
    ratings, _ = rate_all(events, [], rates)
    for zone in (None, "HMT", "EU"):
        kb = sum(r.overflow for r, e in zip(ratings, events, strict=True) if e.roaming_zone == zone)
        fen = sum(
            r.charge_fen for r, e in zip(ratings, events, strict=True) if e.roaming_zone == zone
        )
        assert fen == data_charge(kb, rates.for_zone(zone))
    assert overflow_key("2026-11", "EU") != overflow_key("2026-11", None)
