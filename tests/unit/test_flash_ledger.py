"""The pure rules of a flash sale at their boundaries: the last unit, the limit-th unit, the
window's edges, booking priority, a payment at its deadline, and replayed requests."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.flash.ledger import FlashLedger, HoldState, TakeCode, Terms, lowest_free

TERMS = Terms(
    units_total=3, per_subscriber_limit=2, starts_ms=1000, ends_ms=5000,
    priority_ends_ms=2000, pay_ms=100,
)  # fmt: skip


def ledger() -> FlashLedger:
    found = FlashLedger.opened(TERMS)
    found.booked = {"a", "b", "c"}
    return found


def test_the_last_unit_goes_to_one_buyer_and_the_next_is_sold_out():
    fl = ledger()
    assert fl.take("k", "r1", "a", 2, 2000).ok
    assert fl.take("k", "r2", "b", 1, 2000).units == (1,)
    assert fl.take("k", "r3", "c", 1, 2000).code is TakeCode.SOLD_OUT
    assert fl.stock == 0


def test_two_units_never_fit_in_one():
    fl = ledger()
    fl.take("k", "r1", "a", 2, 2000)
    assert fl.take("k", "r2", "b", 2, 2000).code is TakeCode.SOLD_OUT
    assert fl.take("k2", "r3", "b", 1, 2000).ok


def test_the_limit_th_unit_is_sold_and_one_more_is_refused():
    fl = ledger()
    assert fl.take("k1", "r1", "a", 1, 2000).ok
    assert fl.take("k2", "r2", "a", 1, 2000).units == (2,)
    assert fl.take("k3", "r3", "a", 1, 2000).code is TakeCode.LIMIT_REACHED


def test_the_limit_is_checked_before_stock():
    fl = ledger()
    fl.take("k1", "r1", "a", 2, 2000)
    fl.take("k1", "r2", "b", 1, 2000)
    assert fl.take("k2", "r3", "a", 1, 2000).code is TakeCode.LIMIT_REACHED


def test_the_window_is_half_open_and_priority_is_for_bookers():
    fl = ledger()
    assert fl.take("k", "r0", "z", 1, 999).code is TakeCode.NOT_STARTED
    assert fl.take("k", "r1", "z", 1, 1000).code is TakeCode.BOOKING_REQUIRED
    assert fl.take("k", "r2", "a", 1, 1000).ok
    assert fl.take("k", "r3", "z", 1, 2000).ok  # the same key: clock-only answers are not kept
    assert fl.take("k2", "r4", "b", 1, 5000).code is TakeCode.ENDED
    assert fl.take("k3", "r5", "b", 1, 4999).ok


def test_a_payment_at_the_deadline_is_late_and_the_unit_comes_back():
    fl = ledger()
    r = fl.take("k", "r1", "a", 1, 2000)
    assert r.deadline_ms == 2100
    assert fl.confirm("r1", 2100) is HoldState.RETURNED
    assert fl.stock == 3 and fl.units_of("a") == set()
    assert fl.confirm("r1", 2000) is HoldState.RETURNED  # never honoured afterwards


def test_paid_in_time_stays_taken_and_released_comes_back_once():
    fl = ledger()
    fl.take("k", "r1", "a", 1, 2000)
    assert fl.confirm("r1", 2099) is HoldState.CONFIRMED
    assert fl.expire("r1", 9999) is HoldState.CONFIRMED
    assert fl.release("r1") is HoldState.RELEASED
    assert fl.release("r1") is HoldState.RELEASED
    assert fl.stock == 3


def test_a_repeated_request_takes_nothing_more():
    fl = ledger()
    first = fl.take("k", "r1", "a", 1, 2000)
    assert fl.take("k", "r2", "a", 1, 2001) == first
    assert fl.stock == 2


def test_not_loaded_fails_closed():
    fl = ledger()
    fl.lose_everything()
    assert fl.take("k", "r1", "a", 1, 2000).code is TakeCode.NOT_LOADED
    assert fl.confirm("r1", 2000) is None


@given(st.sets(st.integers(1, 8)), st.integers(1, 4))
def test_lowest_free_numbers_are_new_and_smallest(used, quantity):
    found = lowest_free(used, quantity)
    assert len(found) == quantity and not set(found) & used
    assert all(n in used or n in found for n in range(1, max(found) + 1))
