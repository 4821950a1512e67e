"""The flash-sale Lua scripts (TAKE, SETTLE, the database rebuild) against the pure
`FlashLedger`, step for step: a Hypothesis state machine makes the same random calls on both and
after every step asserts identical answers, stock, slots per subscriber, the sale's unit numbers
(none given twice, none beyond the total) and reservation states, and that stock + held + paid = units. The clock jumps to the boundaries on purpose (the
window's first and last millisecond, the end of booking priority, a deadline), the stock is small
so the last unit is fought over, and the limit is 2 so the limit-th unit is too."""

from __future__ import annotations

import asyncio
import secrets

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

from db.redis import connect_redis
from db.stores.flash_sales import FlashSaleStore, Kept, parse_take
from domain.flash.ledger import FlashLedger, Hold, HoldState, TakeCode, Terms

T0 = 1_900_000_000_000
TERMS = Terms(
    units_total=5,
    per_subscriber_limit=2,
    starts_ms=T0 + 60_000,
    ends_ms=T0 + 3_600_000,
    priority_ends_ms=T0 + 120_000,
    pay_ms=900_000,
)
SUBSCRIBERS = ("s1", "s2", "s3", "s4")
BOOKED = {"s1", "s2"}
KEYS = ("k1", "k2", "k3")
MOMENTS = (
    TERMS.starts_ms - 1,
    TERMS.starts_ms,
    TERMS.priority_ends_ms - 1,
    TERMS.priority_ends_ms,
    TERMS.ends_ms - 1,
    TERMS.ends_ms,
)
MACHINE_SETTINGS = hypothesis_settings(
    max_examples=60, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip


class RedisMatchesLedger(RuleBasedStateMachine):
    redis_url: str
    prefix: str

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.redis = connect_redis(self.redis_url, 4)
        self.store = FlashSaleStore(self.redis, self.prefix)
        self.sale = f"m{secrets.token_hex(4)}"
        self.ledger = FlashLedger.opened(TERMS)
        self.ledger.booked = set(BOOKED)
        self.now = T0
        self.next_id = 0
        self.made: dict[str, tuple[str, str]] = {}  # rid -> (subscriber, key) of OK takes
        self.run(self.store.load(self.sale, TERMS, BOOKED, []))

    def run(self, work):
        return self.loop.run_until_complete(work)

    def teardown(self) -> None:
        self.run(self.store.unload(self.sale))
        self.run(self.redis.aclose())
        self.loop.close()

    reservations = Bundle("reservations")

    @rule(
        target=reservations,
        subscriber=st.sampled_from(SUBSCRIBERS),
        key=st.sampled_from(KEYS),
        quantity=st.integers(1, 3),
    )
    def take(self, subscriber, key, quantity):
        rid = f"r{self.next_id}"
        self.next_id += 1
        expected = self.ledger.take(key, rid, subscriber, quantity, self.now)
        keys, args = self.store.take_call(self.sale, key, rid, subscriber, quantity, self.now)
        got = parse_take(self.run(self.store.script("TAKE")(keys=keys, args=args)))
        assert got == expected, (got, expected)
        if got.ok and got.reservation_id == rid:
            self.made[rid] = (subscriber, key)
        return got.reservation_id or rid

    def _settle(self, rid: str, action: str, expected) -> None:
        subscriber = self.made.get(rid, ("s1", ""))[0]
        keys, args = self.store.settle_call(self.sale, rid, subscriber, action, self.now)
        got = self.run(self.store.script("SETTLE")(keys=keys, args=args))
        assert got == ("NOT_LOADED" if expected is None else expected.value), (action, got)

    @rule(rid=reservations)
    def confirm(self, rid):
        self._settle(rid, "CONFIRM", self.ledger.confirm(rid, self.now))

    @rule(rid=reservations)
    def expire(self, rid):
        self._settle(rid, "EXPIRE", self.ledger.expire(rid, self.now))

    @rule(rid=reservations)
    def release(self, rid):
        self._settle(rid, "RELEASE", self.ledger.release(rid))

    @rule()
    def reap(self):
        self.store.clock_ms = lambda: self.now
        found = self.run(self.store.due(self.sale))
        assert sorted(rid for rid, _ in found) == self.ledger.due(self.now)
        for rid, _ in found:
            self._settle(rid, "EXPIRE", self.ledger.expire(rid, self.now))

    @rule(moment=st.sampled_from(MOMENTS))
    def jump(self, moment):
        self.now = max(self.now, moment)

    @rule(ms=st.sampled_from([1, 1000, 899_999, 900_000]))
    def wait(self, ms):
        self.now += ms

    @rule()
    def crash_and_rebuild(self):
        """Redis loses everything; the database (the ledger's held and confirmed reservations,
        as PostgreSQL keeps them) rebuilds it."""
        kept = [
            Hold(h.reservation_id, h.subscriber, h.units, h.deadline_ms, h.numbers, h.state)
            for h in self.ledger.holds.values()
            if h.state in (HoldState.HELD, HoldState.CONFIRMED)
        ]
        self.run(self.store.unload(self.sale))
        assert self.run(self.store.take(self.sale, "x", "x", "s1", 1)).code is TakeCode.NOT_LOADED
        self.ledger.lose_everything()
        requests = [(self.made[h.reservation_id][1], h) for h in kept]
        self.ledger.rebuilt(TERMS, set(BOOKED), kept, requests)
        self.run(self.store.load(self.sale, TERMS, BOOKED, [Kept(h, key) for key, h in requests]))

    @invariant()
    def stock_and_units_match(self):
        remaining = self.run(self.store.remaining(self.sale))
        assert remaining == self.ledger.stock
        assert self.ledger.stock + self.ledger.held + self.ledger.confirmed == TERMS.units_total
        for subscriber in SUBSCRIBERS:
            found = self.run(self.redis.smembers(self.store.sale_key(self.sale, "sub", subscriber)))
            mine = self.ledger.units_of(subscriber)
            assert {int(u) for u in found} == mine
            assert len(mine) <= TERMS.per_subscriber_limit

    @invariant()
    def unit_numbers_match(self):
        held = [
            n
            for h in self.ledger.holds.values()
            if h.state in (HoldState.HELD, HoldState.CONFIRMED)
            for n in h.numbers
        ]
        assert len(held) == len(set(held)) == len(self.ledger.numbers)
        assert set(held) == self.ledger.numbers <= set(range(1, TERMS.units_total + 1))
        k = self.store.sale_key
        free = self.run(self.redis.zrange(k(self.sale, "free"), 0, -1))
        following = int(self.run(self.redis.hget(k(self.sale, "meta"), "next")))
        assert {int(n) for n in free} == set(range(1, following)) - self.ledger.numbers

    @invariant()
    def states_match(self):
        for rid in self.made:
            got = self.run(self.store.state(self.sale, rid))
            h = self.ledger.holds.get(rid)
            assert got == (HoldState.UNKNOWN if h is None else h.state), rid


def test_the_flash_scripts_match_the_ledger(redis_url, settings, services):
    machine = type(
        "Machine",
        (RedisMatchesLedger,),
        {"redis_url": redis_url, "prefix": f"{settings.redis_prefix}flashmachine:"},
    )
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
