"""The cap rule (`within_caps`) and the cap ledger: reserve / confirm / cancel / expire, and a
state machine proving caps hold."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from domain.promotions.caps import (
    HOLD,
    CampaignUsage,
    CapTake,
    ReservationState,
    takes_for,
    within_caps,
)
from domain.promotions.model import Benefit, Caps
from tests.cap_ledger import CapLedger

from .builders import DURING, campaign, plan, price

FLASH = {"flash": Caps(units_total=3, per_subscriber=1)}


def take(units=1, budget=0, cid="flash"):
    return (CapTake(cid, units, budget),)


def test_reserve_takes_until_the_cap_then_refuses():
    ledger = CapLedger(FLASH)
    assert all(ledger.reserve(f"r{i}", f"s{i}", take(), DURING).ok for i in range(3))
    refused = ledger.reserve("r3", "s3", take(), DURING)
    assert not refused.ok and refused.refused_by == "flash"
    assert ledger.usage("flash").units_taken == 3


def test_per_subscriber_cap():
    ledger = CapLedger(FLASH)
    assert ledger.reserve("r1", "s1", take(), DURING).ok
    assert not ledger.reserve("r2", "s1", take(), DURING).ok
    assert ledger.usage("flash", "s1").subscriber_units == 1


def test_budget_cap_takes_the_exact_spend():
    ledger = CapLedger({"b": Caps(budget_fen=1000)})
    assert ledger.reserve("r1", "s1", take(1, 600, "b"), DURING).ok
    assert not ledger.reserve("r2", "s2", take(1, 401, "b"), DURING).ok
    assert ledger.reserve("r3", "s3", take(1, 400, "b"), DURING).ok


def test_a_reservation_is_all_or_nothing_across_campaigns():
    ledger = CapLedger({"a": Caps(units_total=5), "b": Caps(units_total=0)})
    takes = (CapTake("a", 1, 0), CapTake("b", 1, 0))
    assert ledger.reserve("r1", "s1", takes, DURING).refused_by == "b"
    assert ledger.usage("a").units_taken == 0


def test_cancel_and_expiry_give_back_and_confirm_is_permanent():
    ledger = CapLedger(FLASH)
    for rid in ("paid", "cancelled", "unpaid"):
        ledger.reserve(rid, rid, take(), DURING)
    assert ledger.confirm("paid", DURING + timedelta(minutes=5))
    assert ledger.cancel("cancelled")
    assert not ledger.expire("unpaid", DURING + HOLD - timedelta(seconds=1))
    assert ledger.due(DURING + HOLD) == ["unpaid"]
    assert ledger.expire("unpaid", DURING + HOLD)
    assert not ledger.cancel("paid")
    assert ledger.usage("flash").units_taken == 1
    assert ledger.committed("flash") == (1, 0)


def test_a_late_payment_is_refused_and_the_unit_returned():
    ledger = CapLedger(FLASH)
    ledger.reserve("r", "s", take(), DURING)
    assert not ledger.confirm("r", DURING + HOLD)
    assert ledger.state("r") is ReservationState.RETURNED
    assert ledger.usage("flash").units_taken == 0


def test_every_operation_is_idempotent_per_reservation_id():
    ledger = CapLedger(FLASH)
    first = ledger.reserve("r", "s", take(), DURING)
    assert ledger.reserve("r", "s", take(), DURING) == first
    assert ledger.usage("flash").units_taken == 1
    assert ledger.confirm("r", DURING) and ledger.confirm("r", DURING)
    assert ledger.committed("flash") == (1, 0)
    ledger.reserve("x", "s", take(), DURING)  # refused: s already has one
    ledger.cancel("r")
    assert not ledger.reserve("x", "s", take(), DURING).ok  # a refusal is remembered too


def test_the_quote_says_what_the_order_takes():
    c = campaign("c", Benefit.recurring(percent_bp=5000, months=3), caps=Caps(units_total=9))
    quote = price([plan("ice", 39800)], [c, campaign("free", Benefit.gift("x"))])
    assert takes_for(quote) == (CapTake("c", 1, 3 * 19900),)


CAPS = {
    "flash": Caps(units_total=4, per_subscriber=2),
    "budget": Caps(budget_fen=1000),
    "both": Caps(units_total=3, per_subscriber=1, budget_fen=700),
    "open": Caps(),
}
SUBSCRIBERS = ("s1", "s2", "s3")
takes_strategy = st.lists(
    st.builds(
        CapTake,
        st.sampled_from(sorted(CAPS)),
        st.integers(0, 3),
        st.integers(0, 400),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda t: t.campaign_id,
).map(tuple)


class CapLedgerMachine(RuleBasedStateMachine):
    """Checks the ledger against sums recomputed from reservation states, never its counters."""

    reservations = Bundle("reservations")

    def __init__(self) -> None:
        super().__init__()
        self.ledger = CapLedger(CAPS)
        self.now = DURING
        self.made: dict[str, tuple[str, tuple[CapTake, ...]]] = {}
        self.results: dict[str, bool] = {}
        self.committed = {cid: (0, 0) for cid in CAPS}
        self.next_id = 0

    def _live(self, states=(ReservationState.HELD, ReservationState.CONFIRMED)):
        for rid, (subscriber, takes) in self.made.items():
            if self.ledger.state(rid) in states:
                yield subscriber, takes

    def _sums(
        self, cid, subscriber=None, states=(ReservationState.HELD, ReservationState.CONFIRMED)
    ):
        units = budget = 0
        for who, takes in self._live(states):
            for t in takes:
                if t.campaign_id == cid and (subscriber is None or who == subscriber):
                    units += t.units
                    budget += t.budget_fen
        return units, budget

    def _fits(self, subscriber, takes):
        for t in takes:
            caps = CAPS[t.campaign_id]
            units, budget = self._sums(t.campaign_id)
            mine, _ = self._sums(t.campaign_id, subscriber)
            if caps.units_total is not None and units + t.units > caps.units_total:
                return False
            if caps.per_subscriber is not None and mine + t.units > caps.per_subscriber:
                return False
            if caps.budget_fen is not None and budget + t.budget_fen > caps.budget_fen:
                return False
        return True

    @rule(target=reservations, subscriber=st.sampled_from(SUBSCRIBERS), takes=takes_strategy)
    def reserve(self, subscriber, takes):
        rid = f"r{self.next_id}"
        self.next_id += 1
        expected = self._fits(subscriber, takes)
        result = self.ledger.reserve(rid, subscriber, takes, self.now)
        assert result.ok == expected
        self.results[rid] = result.ok
        if result.ok:
            self.made[rid] = (subscriber, takes)
        return rid

    @rule(rid=reservations, takes=takes_strategy)
    def reserve_again(self, rid, takes):
        before = {cid: self.ledger.usage(cid) for cid in CAPS}
        assert self.ledger.reserve(rid, "s1", takes, self.now).ok == self.results[rid]
        assert {cid: self.ledger.usage(cid) for cid in CAPS} == before

    @rule(rid=reservations)
    def confirm(self, rid):
        state = self.ledger.state(rid)
        ok = self.ledger.confirm(rid, self.now)
        if state is ReservationState.CONFIRMED:
            assert ok
        if state is ReservationState.RETURNED or state is None:
            assert not ok

    @rule(rid=reservations)
    def cancel(self, rid):
        state = self.ledger.state(rid)
        self.ledger.cancel(rid)
        if state is ReservationState.CONFIRMED:
            assert self.ledger.state(rid) is ReservationState.CONFIRMED

    @rule(rid=reservations)
    def expire(self, rid):
        self.ledger.expire(rid, self.now)

    @rule()
    def sweep(self):
        for rid in self.ledger.due(self.now):
            assert self.ledger.expire(rid, self.now)

    @rule(minutes=st.integers(1, 20))
    def wait(self, minutes):
        self.now += timedelta(minutes=minutes)

    @invariant()
    def caps_are_never_exceeded(self):
        for cid, caps in CAPS.items():
            units, budget = self._sums(cid)
            assert caps.units_total is None or units <= caps.units_total
            assert caps.budget_fen is None or budget <= caps.budget_fen
            for subscriber in SUBSCRIBERS:
                mine, _ = self._sums(cid, subscriber)
                assert caps.per_subscriber is None or mine <= caps.per_subscriber

    @invariant()
    def ledger_counts_match_reservation_states(self):
        for cid in CAPS:
            units, budget = self._sums(cid)
            usage = self.ledger.usage(cid)
            assert (usage.units_taken, usage.budget_spent_fen) == (units, budget)
            assert self.ledger.committed(cid) == self._sums(
                cid, None, (ReservationState.CONFIRMED,)
            )

    @invariant()
    def committed_counts_never_shrink(self):
        for cid in CAPS:
            now = self.ledger.committed(cid)
            before = self.committed[cid]
            assert now[0] >= before[0] and now[1] >= before[1]
            self.committed[cid] = now


TestCapLedgerMachine = CapLedgerMachine.TestCase
TestCapLedgerMachine.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


@given(
    st.one_of(st.none(), st.integers(0, 5)),
    st.one_of(st.none(), st.integers(0, 3)),
    st.one_of(st.none(), st.integers(0, 500)),
    st.integers(0, 6),
    st.integers(0, 4),
    st.integers(0, 600),
    st.integers(0, 3),
    st.integers(0, 200),
)
def test_within_caps_is_each_cap_kept(total, per_sub, budget, taken, mine, spent, units, fen):
    caps = Caps(units_total=total, per_subscriber=per_sub, budget_fen=budget)
    used = CampaignUsage(units_taken=taken, subscriber_units=mine, budget_spent_fen=spent)
    kept = [
        total is None or taken + units <= total,
        per_sub is None or mine + units <= per_sub,
        budget is None or spent + fen <= budget,
    ]
    assert within_caps(caps, used, units, fen) is all(kept)
