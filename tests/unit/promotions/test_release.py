"""CapLedger.release: the way back for a confirmed reservation whose order never took effect."""

from __future__ import annotations

from datetime import timedelta

from domain.promotions.caps import HOLD, CapTake, ReservationState
from domain.promotions.model import Caps
from tests.cap_ledger import CapLedger

from .builders import DURING

CAPS = {"c": Caps(units_total=2, per_subscriber=1, budget_fen=1000)}


def take(units=1, budget=300):
    return (CapTake("c", units, budget),)


def test_release_gives_a_confirmed_reservation_back_and_lowers_the_committed_counts():
    ledger = CapLedger(CAPS)
    assert ledger.reserve("r", "s", take(), DURING).ok
    assert ledger.confirm("r", DURING)
    assert ledger.committed("c") == (1, 300)
    assert ledger.release("r")
    assert ledger.state("r") is ReservationState.RELEASED
    assert ledger.committed("c") == (0, 0)
    assert ledger.usage("c", "s").subscriber_units == 0
    assert ledger.reserve("r2", "s", take(), DURING).ok  # the subscriber may take it again


def test_release_is_idempotent_and_final():
    ledger = CapLedger(CAPS)
    ledger.reserve("r", "s", take(), DURING)
    ledger.confirm("r", DURING)
    assert ledger.release("r") and ledger.release("r")
    assert ledger.usage("c").units_taken == 0 and ledger.committed("c") == (0, 0)
    assert not ledger.confirm("r", DURING)
    assert ledger.cancel("r") and ledger.state("r") is ReservationState.RELEASED
    assert ledger.expire("r", DURING + HOLD) and ledger.state("r") is ReservationState.RELEASED
    assert ledger.usage("c").units_taken == 0


def test_release_of_a_held_reservation_is_a_cancel():
    ledger = CapLedger(CAPS)
    ledger.reserve("r", "s", take(), DURING)
    assert ledger.release("r")
    assert ledger.state("r") is ReservationState.RETURNED
    assert ledger.committed("c") == (0, 0) and ledger.usage("c").units_taken == 0
    assert not ledger.confirm("r", DURING + timedelta(minutes=1))


def test_release_of_a_refused_reservation_gives_nothing():
    ledger = CapLedger(CAPS)
    ledger.reserve("a", "s", take(), DURING)
    assert not ledger.reserve("b", "s", take(), DURING).ok
    assert not ledger.release("b")
    assert ledger.usage("c").units_taken == 1
    assert ledger.due(DURING + HOLD) == ["a"]
