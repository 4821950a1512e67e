"""The Redis Lua scripts (RESERVE, SETTLE, RELEASE, LOAD) against the pure
`tests.cap_ledger.CapLedger`, step for step, including Redis restarting empty at run time
(the capped campaigns fail closed until LOAD rebuilds them from what was committed).

A Hypothesis state machine makes the same random calls on both, through a *sync* Redis client
running the very scripts the store registers, and after every step asserts identical answers,
identical counters (units nationwide, per subscriber, budget) and identical reservation states.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import redis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from db.stores.reservations import ReservationStore, Take
from domain.promotions.caps import HOLD, CampaignUsage, CapTake
from domain.promotions.model import Caps
from domain.promotions.schedule import micros
from tests.cap_ledger import CapLedger

CAPS = {
    "flash": Caps(units_total=4, per_subscriber=2),
    "budget": Caps(budget_fen=1000),
    "both": Caps(units_total=3, per_subscriber=1, budget_fen=700),
    "free": Caps(),
}
SUBSCRIBERS = ("s1", "s2", "s3")
HOLD_MS = int(HOLD.total_seconds() * 1000)
T0 = datetime(2031, 5, 17, 12, 0, tzinfo=UTC)
MACHINE_SETTINGS = hypothesis_settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
GIVEN_BACK = ("RETURNED", "RELEASED")

takes_strategy = st.lists(
    st.sampled_from(sorted(CAPS)), min_size=1, max_size=3, unique=True
).flatmap(
    lambda ids: st.tuples(
        *(st.builds(CapTake, st.just(cid), st.integers(0, 3), st.integers(0, 500)) for cid in ids)
    )
)


def store_takes(takes: tuple[CapTake, ...]) -> list[Take]:
    return [
        Take(
            t.campaign_id,
            t.units,
            t.budget_fen,
            CAPS[t.campaign_id].units_total,
            CAPS[t.campaign_id].per_subscriber,
            CAPS[t.campaign_id].budget_fen,
        )
        for t in takes
    ]


class RedisMatchesLedger(RuleBasedStateMachine):
    client: redis.Redis
    prefix: str

    def __init__(self) -> None:
        super().__init__()
        self.ledger = CapLedger(CAPS)
        self.store = ReservationStore(self.client, self.prefix, f"m{secrets.token_hex(4)}")
        self.now = T0
        self.next_id = 0
        self.made: list[str] = []
        self.ledger.restart()  # a fresh Redis: nothing loaded ...
        for cid in CAPS:  # ... until start-up loads every campaign, as restore_counters does
            self._load(cid)

    reservations = Bundle("reservations")

    @property
    def ms(self) -> int:
        return micros(self.now) // 1000

    def _reserve(self, rid: str, subscriber: str, takes: tuple[CapTake, ...]) -> None:
        expected = self.ledger.reserve(rid, subscriber, takes, self.now)
        keys, args = self.store.reserve_call(
            rid, subscriber, store_takes(takes), self.ms, self.ms + HOLD_MS
        )
        got = self.store.script("RESERVE")(keys=keys, args=args)
        if expected.unloaded is not None:
            assert got == f"UNLOADED:{expected.unloaded}"
        else:
            assert got == ("OK" if expected.ok else f"REFUSED:{expected.refused_by}")

    def _load(self, cid: str) -> None:
        units, budget, per = self.ledger.committed_of(cid)  # what the database hands over
        expected = self.ledger.load(cid)
        keys, args = self.store.load_call(cid, units, budget, per)
        assert bool(self.store.script("LOAD")(keys=keys, args=args)) == expected

    @rule()
    def redis_restarts_empty(self):
        pattern = self.store.ns_key("*")
        for key in self.client.scan_iter(match=pattern, count=500):
            self.client.delete(key)
        self.ledger.restart()

    @rule(cid=st.sampled_from(sorted(CAPS)))
    def load(self, cid):
        self._load(cid)

    @rule(target=reservations, subscriber=st.sampled_from(SUBSCRIBERS), takes=takes_strategy)
    def reserve(self, subscriber, takes):
        rid = f"r{self.next_id}"
        self.next_id += 1
        self.made.append(rid)
        self._reserve(rid, subscriber, takes)
        return rid

    @rule(rid=reservations, subscriber=st.sampled_from(SUBSCRIBERS), takes=takes_strategy)
    def reserve_again(self, rid, subscriber, takes):
        self._reserve(rid, subscriber, takes)  # the first answer, nothing taken

    @rule(rid=reservations, action=st.sampled_from(["CONFIRM", "CANCEL", "EXPIRE"]))
    def settle(self, rid, action):
        if action == "CONFIRM":
            expected = self.ledger.confirm(rid, self.now)
        elif action == "CANCEL":
            expected = self.ledger.cancel(rid)
        else:
            expected = self.ledger.expire(rid, self.now)
        keys, args = self.store.settle_call(rid, action, self.ms)
        got = self.store.script("SETTLE")(keys=keys, args=args)
        if action == "CONFIRM":
            assert (got == "CONFIRMED") == expected, (action, got, expected)
        else:
            assert (got in GIVEN_BACK) == expected, (action, got, expected)

    @rule(rid=reservations)
    def release(self, rid):
        expected = self.ledger.release(rid)
        keys, args = self.store.release_call(rid)
        got = self.store.script("RELEASE")(keys=keys, args=args)
        assert (got in GIVEN_BACK) == expected, (got, expected)

    @rule()
    def sweep(self):
        due = self.ledger.due(self.now)
        found = self.client.zrangebyscore(self.store.ns_key("deadlines"), "-inf", self.ms)
        assert sorted(found) == due
        for rid in due:
            assert self.ledger.expire(rid, self.now)
            keys, args = self.store.settle_call(rid, "EXPIRE", self.ms)
            assert self.store.script("SETTLE")(keys=keys, args=args) == "RETURNED"

    @rule(minutes=st.integers(1, 20))
    def wait(self, minutes):
        self.now += timedelta(minutes=minutes)

    @invariant()
    def counters_are_identical(self):
        keys = [
            key
            for cid in CAPS
            for subscriber in SUBSCRIBERS
            for key in self.store.counter_keys(cid, subscriber)
        ]
        values = [int(v or 0) for v in self.client.mget(keys)]
        i = 0
        for cid in CAPS:
            for subscriber in SUBSCRIBERS:
                units, mine, budget = values[i : i + 3]
                i += 3
                assert self.ledger.usage(cid, subscriber) == CampaignUsage(units, mine, budget)

    @invariant()
    def states_are_identical(self):
        for rid in self.made:
            state = self.client.hget(self.store.ns_key("reservation", rid), "state")
            mine = self.ledger.state(rid)
            assert (None if state in (None, "REFUSED") else state) == (
                None if mine is None else mine.value
            )


def test_the_redis_scripts_match_the_cap_ledger(redis_url, settings, services):
    # `services` only so the session removes this run's keys afterwards
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        machine = type(
            "Machine",
            (RedisMatchesLedger,),
            {"client": client, "prefix": f"{settings.redis_prefix}machine:"},
        )
        run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
    finally:
        client.close()
