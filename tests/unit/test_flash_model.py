"""A flash sale's terms, status and checks: half-open windows, booking before the start,
priority needing booking, edits only before the start, millisecond round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.flash.model import (
    ItemKind,
    SaleStatus,
    SaleTerms,
    check_address,
    check_bookable,
    check_editable,
    check_quantity,
    check_terms,
    from_ms,
    ledger_terms,
    ms,
    status_at,
)  # fmt: skip

T = datetime(2027, 5, 17, 2, 0, tzinfo=UTC)


def terms(**changes) -> SaleTerms:
    base = dict(
        name="517", item_kind=ItemKind.DEVICE, item_id="DEV-XM-14", sale_price_fen=299_900,
        units_total=500, per_subscriber_limit=1, starts_at=T, ends_at=T + timedelta(hours=2),
        booking_opens_at=T - timedelta(days=7), priority_minutes=10,
    )  # fmt: skip
    return SaleTerms(**{**base, **changes})


def code(work) -> str:
    with pytest.raises(DomainError) as raised:
        work()
    return raised.value.code


def test_status_over_the_window():
    t = terms()
    assert status_at(t, False, 500, T - timedelta(days=8)) is SaleStatus.SCHEDULED
    assert status_at(t, False, 500, T - timedelta(days=7)) is SaleStatus.BOOKING
    assert status_at(t, False, 500, T) is SaleStatus.ACTIVE
    assert status_at(t, False, 0, T) is SaleStatus.SOLD_OUT
    assert status_at(t, False, 3, T + timedelta(hours=2)) is SaleStatus.ENDED
    assert status_at(t, True, 3, T) is SaleStatus.CANCELLED


def test_bad_terms_name_their_field():
    assert code(lambda: check_terms(terms(units_total=0))) == "INVALID_FLASH_SALE"
    with pytest.raises(DomainError) as raised:
        check_terms(terms(booking_opens_at=None))
    assert raised.value.problems[0].field == "priorityMinutes"
    with pytest.raises(DomainError) as raised:
        check_terms(terms(ends_at=T))
    assert raised.value.problems[0].field == "endsAt"


def test_booking_and_editing_happen_before_the_start():
    t = terms()
    assert code(lambda: check_bookable(t, False, T - timedelta(days=8))) == "BOOKING_NOT_OPEN"
    check_bookable(t, False, T - timedelta(seconds=1))
    assert code(lambda: check_bookable(t, False, T)) == "BOOKING_CLOSED"
    assert code(lambda: check_bookable(terms(booking_opens_at=None, priority_minutes=0),
                                       False, T - timedelta(1))) == "BOOKING_NOT_OFFERED"  # fmt: skip
    check_editable(t, False, T - timedelta(seconds=1))
    assert code(lambda: check_editable(t, False, T)) == "FLASH_SALE_NOT_EDITABLE"


def test_quantity_address_and_priority_end():
    t = terms(per_subscriber_limit=2)
    assert check_quantity(2, t) == 2
    assert code(lambda: check_quantity(3, t)) == "INVALID_QUANTITY"
    assert code(lambda: check_address(ItemKind.DEVICE, " ")) == "SHIPPING_ADDRESS_REQUIRED"
    assert check_address(ItemKind.PLAN, None) is None
    assert ledger_terms(t, False).priority_ends_ms == ms(T) + 10 * 60_000
    short = terms(ends_at=T + timedelta(minutes=5))
    assert ledger_terms(short, False).priority_ends_ms == ms(short.ends_at)


@given(st.integers(0, 4_102_444_800_000))
def test_milliseconds_round_trip(value):
    assert ms(from_ms(value)) == value
