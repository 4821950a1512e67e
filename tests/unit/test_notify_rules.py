"""Quiet hours (Shanghai, wrapping past midnight) and the push decision."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import SHANGHAI
from domain.errors import DomainError
from domain.notify import (
    CAPPED_TOPICS,
    NoticeClass,
    NotifyChannel,
    QuietHours,
    Topic,
    check_interests,
    decide_push,
    inbox_topic,
    notice_class,
    parse_minute,
    remind_at,
    shanghai_day_bounds,
)

APP = frozenset({NotifyChannel.APP})


def sh(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


def test_default_quiet_hours_wrap_past_midnight():
    q = QuietHours()
    assert q.deliver_at(sh(2026, 5, 17, 21, 59)) == sh(2026, 5, 17, 21, 59)
    assert q.deliver_at(sh(2026, 5, 17, 22, 0)) == sh(2026, 5, 18, 8, 0)
    assert q.deliver_at(sh(2026, 5, 18, 3, 0)) == sh(2026, 5, 18, 8, 0)
    assert q.deliver_at(sh(2026, 5, 18, 8, 0)) == sh(2026, 5, 18, 8, 0)


def test_daytime_quiet_hours_and_none():
    q = QuietHours(12 * 60, 14 * 60)
    assert q.deliver_at(sh(2026, 1, 1, 13, 30)) == sh(2026, 1, 1, 14, 0)
    assert q.deliver_at(sh(2026, 1, 1, 11, 59)) == sh(2026, 1, 1, 11, 59)
    assert not QuietHours(0, 0).is_quiet(sh(2026, 1, 1, 3))


@given(
    start=st.integers(0, 1439),
    end=st.integers(0, 1439),
    at=st.datetimes(datetime(2024, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
)
def test_delivery_is_never_in_quiet_hours_and_never_more_than_a_day_late(start, end, at):
    q = QuietHours(start, end)
    out = q.deliver_at(at)
    assert at <= out < at + timedelta(days=1)
    assert not q.is_quiet(out)
    if not q.is_quiet(at):
        assert out == at


@pytest.mark.parametrize("text", ["", "24:00", "7:00", "07:60", "ab:cd", "07-00"])
def test_bad_minutes_refused(text):
    with pytest.raises(DomainError) as e:
        parse_minute(text, "quietHours.start")
    assert e.value.code == "QUIET_HOURS_INVALID"


def test_interests_checked():
    with pytest.raises(DomainError):
        check_interests([("PLANS", ["APP"]), ("PLANS", ["SMS"])])
    with pytest.raises(DomainError):
        check_interests([("PLANS", [])])


def test_cap_counts_the_delivery_day():
    at = sh(2026, 3, 3, 23, 0)  # deferred to the next morning
    tomorrow = shanghai_day_bounds(sh(2026, 3, 4, 9))[0]
    today = shanghai_day_bounds(at)[0]
    interests = {Topic.PLANS: APP}
    full_today = decide_push(Topic.PLANS, interests, True, QuietHours(), at, {today: 3}, 3)
    assert full_today.deliver_at == sh(2026, 3, 4, 8)
    full_tomorrow = decide_push(Topic.PLANS, interests, True, QuietHours(), at, {tomorrow: 3}, 3)
    assert not full_tomorrow.pushed
    assert not decide_push(Topic.ROAMING, interests, True, QuietHours(), at, {}, 3).pushed
    assert not decide_push(Topic.PLANS, interests, False, QuietHours(), at, {}, 3).pushed


def test_which_notices_wait_and_which_do_not():
    assert notice_class("SMS_LOGIN") is NoticeClass.CODE
    assert notice_class("SMS_RESET_PASSWORD") is NoticeClass.CODE
    assert notice_class("NUMBER_PAID") is NoticeClass.CODE  # the initial service password
    assert notice_class("ORDER_WLAN_PASSWORD") is NoticeClass.CODE
    assert notice_class("POINTS_EXPIRING") is NoticeClass.REMINDER
    for kind in ("ORDER_PACK_PURCHASE", "PASSWORD_CHANGED", "PASSKEY_REGISTERED", "RECHARGE"):
        assert notice_class(kind) is NoticeClass.TRANSACTIONAL
    assert inbox_topic("POINTS_EXPIRING").value in CAPPED_TOPICS
    assert inbox_topic("PASSWORD_CHANGED").value not in CAPPED_TOPICS


@given(
    start=st.integers(0, 1439),
    end=st.integers(0, 1439),
    minute=st.integers(0, 3 * 1440),
    cap=st.integers(0, 3),
    full_days=st.sets(st.integers(0, 5)),
)
def test_a_reminder_lands_after_quiet_hours_on_a_day_with_room(start, end, minute, cap, full_days):
    at = sh(2027, 12, 30, 0) + timedelta(minutes=minute)
    quiet = QuietHours(start, end)
    first_day = shanghai_day_bounds(at)[0]
    delivered = {first_day + timedelta(days=d): cap for d in full_days}
    got = remind_at(quiet, at, delivered, cap)
    assert got >= at and not quiet.is_quiet(got)
    if cap > 0:
        assert delivered.get(shanghai_day_bounds(got)[0], 0) < cap
        # and no earlier day had room: each day before it was full or quiet to its end
        day = first_day
        while day < shanghai_day_bounds(got)[0]:
            assert delivered.get(day, 0) >= cap or quiet.deliver_at(
                max(day, at)
            ) >= day + timedelta(1)
            day += timedelta(days=1)
    else:
        assert got == quiet.deliver_at(at)  # a cap of 0 silences marketing, not reminders
