"""The points ledger under random sequences of earn / redeem / refund / clawback / expire / adjust
and time passing, with its invariants checked after every step; plus the calendar edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from domain.errors import DomainError
from domain.points.ledger import (
    Allocation,
    EntryKind,
    Ledger,
    Lot,
    lot_expires_at,
    lot_year,
    plan_burn,
    plan_clawback,
    plan_expiry,
)

T0 = datetime(2025, 11, 20, 4, 0, tzinfo=UTC)


def test_half_past_midnight_on_new_year_in_beijing_earns_into_the_new_year():
    at = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January 2026 in Beijing
    assert lot_year(at) == 2026
    assert lot_expires_at(at) == datetime(2027, 12, 31, 16, 0, tzinfo=UTC)
    ledger = Ledger()
    ledger.earn("BILL:1", 10, at)
    (lot,) = ledger.lots.values()
    assert lot.expires_at == datetime(2027, 12, 31, 16, 0, tzinfo=UTC)


def test_a_minute_before_midnight_belongs_to_the_old_year():
    at = datetime(2025, 12, 31, 15, 59, tzinfo=UTC)
    assert lot_year(at) == 2025
    assert lot_expires_at(at) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_burn_takes_the_earliest_expiring_lots_first():
    now = T0
    lots = [
        Lot(1, 50, 50, datetime(2027, 12, 31, 16, tzinfo=UTC)),
        Lot(2, 30, 30, datetime(2026, 12, 31, 16, tzinfo=UTC)),
        Lot(3, 40, 0, datetime(2026, 12, 31, 16, tzinfo=UTC)),
    ]
    assert plan_burn(lots, 60, now) == [Allocation(2, 30), Allocation(1, 30)]
    with pytest.raises(DomainError) as error:
        plan_burn(lots, 81, now)
    assert error.value.code == "INSUFFICIENT_POINTS"


def test_expired_lots_are_not_spendable_and_expire_once():
    lots = [Lot(1, 50, 50, datetime(2026, 12, 31, 16, tzinfo=UTC))]
    after = datetime(2026, 12, 31, 16, tzinfo=UTC)
    with pytest.raises(DomainError):
        plan_burn(lots, 1, after)
    assert plan_expiry(lots, after) == [Allocation(1, 50)]
    assert plan_expiry(lots, after - timedelta(microseconds=1)) == []


def test_clawback_takes_its_own_lot_first_and_owes_the_rest():
    lots = [
        Lot(1, 50, 50, datetime(2026, 12, 31, 16, tzinfo=UTC)),
        Lot(2, 100, 20, datetime(2027, 12, 31, 16, tzinfo=UTC)),
    ]
    assert plan_clawback(lots, 2, 100, T0) == ([Allocation(2, 20), Allocation(1, 50)], 30)


def test_owed_points_come_out_of_the_next_earnings():
    ledger = Ledger()
    ledger.earn("ORDER:a", 100, T0)
    ledger.redeem("R:1", 80, T0)
    ledger.clawback("ORDER:a", T0)
    assert (ledger.balance, ledger.owed) == (0, 80)
    ledger.earn("BILL:1", 50, T0)
    assert (ledger.balance, ledger.owed) == (0, 30)
    ledger.earn("BILL:2", 50, T0)
    assert (ledger.balance, ledger.owed) == (20, 0)


def test_a_refund_into_an_expired_lot_expires_again_at_once():
    ledger = Ledger()
    ledger.earn("BILL:1", 100, T0)
    ledger.redeem("R:1", 60, T0)
    later = lot_expires_at(T0) + timedelta(days=3)
    ledger.expire(later)
    ledger.refund("R:1", later)
    assert ledger.balance == 0
    kinds = [e.kind for e in ledger.entries]
    assert kinds == [
        EntryKind.EARN,
        EntryKind.REDEEM,
        EntryKind.EXPIRE,
        EntryKind.REFUND,
        EntryKind.EXPIRE,
    ]


class LedgerMachine(RuleBasedStateMachine):
    """The ledger against a naive account of what went in and out."""

    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        self.now = T0
        self.sources = 0
        self.earned: list[str] = []
        self.redeemed: list[str] = []
        self.refunded: set[str] = set()
        self.clawed: set[str] = set()
        self.snapshot: dict[str, dict[int, int]] = {}

    def _source(self, kind: str) -> str:
        self.sources += 1
        return f"{kind}:{self.sources}"

    @rule(points=st.integers(1, 500))
    def earn(self, points):
        source = self._source("ORDER")
        self.ledger.earn(source, points, self.now)
        self.earned.append(source)

    @rule(points=st.integers(1, 400))
    def redeem(self, points):
        source = self._source("REDEEM")
        before = self.ledger.balance
        spendable = sum(lot.remaining for lot in self.ledger.lots.values() if lot.live(self.now))
        try:
            entry = self.ledger.redeem(source, points, self.now)
        except DomainError as error:
            assert error.code == "INSUFFICIENT_POINTS"
            assert points > spendable
            return
        assert sum(a.points for a in entry.allocations) == points == -entry.amount
        assert self.ledger.balance <= before - points
        self.redeemed.append(source)
        self.snapshot[source] = {a.lot_id: a.points for a in entry.allocations}

    @precondition(lambda self: self.redeemed)
    @rule(data=st.data())
    def refund(self, data):
        source = data.draw(st.sampled_from(self.redeemed))
        before = {i: lot.remaining for i, lot in self.ledger.lots.items()}
        entry = self.ledger.refund(source, self.now)
        if source in self.refunded:
            assert entry is None
            assert before == {i: lot.remaining for i, lot in self.ledger.lots.items()}
            return
        self.refunded.add(source)
        assert {a.lot_id: a.points for a in entry.allocations} == self.snapshot[source]
        for lot_id, points in self.snapshot[source].items():
            lot = self.ledger.lots[lot_id]
            expected = before[lot_id] + (points if lot.expires_at > self.now else 0)
            assert lot.remaining == expected

    @precondition(lambda self: self.earned)
    @rule(data=st.data())
    def cancel_with_clawback(self, data):
        source = data.draw(st.sampled_from(self.earned))
        before = (self.ledger.balance, self.ledger.owed)
        entry = self.ledger.clawback(source, self.now)
        if source in self.clawed:
            assert entry is None
            assert (self.ledger.balance, self.ledger.owed) == before
            return
        self.clawed.add(source)
        earned = next(e for e in self.ledger.entries if e.source == source)
        assert -entry.amount + (self.ledger.owed - before[1]) == earned.amount

    @rule(delta=st.integers(-300, 300).filter(bool))
    def adjust(self, delta):
        source = self._source("ADJUST")
        try:
            entry = self.ledger.adjust(source, delta, self.now, "客服补偿")
        except DomainError as error:
            assert delta < 0 and error.code == "INSUFFICIENT_POINTS"
            return
        assert entry.amount == delta and entry.note == "客服补偿"

    @rule()
    def expire_twice(self):
        self.ledger.expire(self.now)
        rows = len(self.ledger.entries)
        lots = dict(self.ledger.lots)
        assert self.ledger.expire(self.now) == []
        assert len(self.ledger.entries) == rows and self.ledger.lots == lots
        assert all(not lot.remaining or lot.expires_at > self.now for lot in lots.values())

    @rule(days=st.sampled_from([1, 7, 30, 90, 200, 400]))
    def time_passes(self, days):
        self.now += timedelta(days=days)

    @rule()
    def replay_keeps_rows(self):
        rows = len(self.ledger.entries)
        if self.earned:
            assert self.ledger.earn(self.earned[-1], 99, self.now) is None
        if self.redeemed:
            self.ledger.redeem(self.redeemed[-1], 1, self.now)
        assert len(self.ledger.entries) == rows

    @invariant()
    def balance_equals_the_lots_and_the_entries(self):
        lots = self.ledger.lots.values()
        assert self.ledger.balance == sum(lot.remaining for lot in lots)
        assert self.ledger.balance == sum(e.amount for e in self.ledger.entries)
        assert self.ledger.balance >= 0 and self.ledger.owed >= 0

    @invariant()
    def lots_stay_within_bounds(self):
        for lot in self.ledger.lots.values():
            assert 0 <= lot.remaining <= lot.amount
            assert lot.expires_at.astimezone(UTC).month == 12
            assert lot.expires_at.hour == 16 and lot.expires_at.day == 31

    @invariant()
    def sources_are_unique(self):
        sources = [e.source for e in self.ledger.entries]
        assert len(sources) == len(set(sources))

    @invariant()
    def allocations_add_up(self):
        for e in self.ledger.entries:
            if e.allocations:
                assert sum(a.points for a in e.allocations) == abs(e.amount)


LedgerMachine.TestCase.settings = hypothesis_settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerMachine = LedgerMachine.TestCase


def test_reminders_come_due_30_and_7_days_before():
    from domain.points.ledger import reminders_due

    expiry = datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert reminders_due(expiry, expiry - timedelta(days=31)) == []
    assert reminders_due(expiry, expiry - timedelta(days=30)) == [30]
    assert reminders_due(expiry, expiry - timedelta(days=6)) == [7, 30]
    assert reminders_due(expiry, expiry) == []
