"""The reservation Lua scripts against a real Redis: caps hold under concurrency."""

import asyncio
import secrets

import pytest

from db.stores.reservations import CountersNotLoaded, ReservationStore, Take


class LoadedStore(ReservationStore):
    """A fresh namespace whose counter families count as loaded (nothing taken before)."""

    async def reserve(self, rid, subscriber, takes, now_ms, deadline_ms):
        for t in takes:
            await self.load(t.name, 0, 0, {})
        return await super().reserve(rid, subscriber, takes, now_ms, deadline_ms)


def store(services) -> ReservationStore:
    return LoadedStore(
        services.stores.redis, services.settings.redis_prefix, f"t{secrets.token_hex(3)}"
    )


async def test_a_capped_family_not_loaded_fails_closed(services):
    caps = ReservationStore(
        services.stores.redis, services.settings.redis_prefix, f"t{secrets.token_hex(3)}"
    )
    capped = Take("c", units=1, cap_units=5)
    with pytest.raises(CountersNotLoaded):
        await caps.reserve("r1", "s", [capped], 0, 100)
    assert await caps.taken("c") == (0, 0, 0) and await caps.state("r1") is None
    assert await caps.reserve("r2", "s", [Take("free", units=1)], 0, 100) is None  # no cap
    assert await caps.load("c", 4, 0, {"s": 4}) is True
    assert await caps.load("c", 9, 0, {}) is False  # loaded once; a second load changes nothing
    assert await caps.taken("c", "s") == (4, 4, 0)
    assert await caps.reserve("r1", "s", [capped], 0, 100) is None
    assert await caps.reserve("r3", "t", [capped], 0, 100) == "c"  # 4 + 1 = 5: the cap holds


async def test_units_cap_holds_under_concurrency(services):
    caps = store(services)
    take = Take("c1", units=1, cap_units=7)
    results = await asyncio.gather(
        *(caps.reserve(f"r{i}", f"s{i}", [take], 0, 10_000) for i in range(50))
    )
    assert results.count(None) == 7 and set(results) == {None, "c1"}
    assert (await caps.taken("c1"))[0] == 7


async def test_all_or_nothing_and_idempotent(services):
    caps = store(services)
    a = Take("a", units=1, cap_units=10)
    b = Take("b", units=1, budget_fen=500, cap_budget_fen=800)
    assert await caps.reserve("r1", "s", [a, b], 0, 100) is None
    assert await caps.reserve("r2", "s", [a, b], 0, 100) == "b"  # budget 1000 > 800
    assert (await caps.taken("a"))[0] == 1  # r2 took nothing from a
    assert await caps.reserve("r1", "s", [a, b], 0, 100) is None  # replay changes nothing
    assert (await caps.taken("a"))[0] == 1


async def test_per_subscriber_cap(services):
    caps = store(services)
    t = Take("c", units=1, cap_per_subscriber=1)
    assert await caps.reserve("r1", "alice", [t], 0, 100) is None
    assert await caps.reserve("r2", "alice", [t], 0, 100) == "c"
    assert await caps.reserve("r3", "bob", [t], 0, 100) is None


async def test_hold_lapses_and_returns_units(services):
    caps = store(services)
    t = Take("c", units=2, cap_units=2)
    assert await caps.reserve("r1", "s", [t], 0, 1_000) is None
    assert await caps.settle("r1", "EXPIRE", 999) == "HELD"  # early: nothing happens
    assert await caps.due(999) == [] and await caps.due(1_000) == ["r1"]
    assert await caps.settle("r1", "EXPIRE", 1_000) == "RETURNED"
    assert (await caps.taken("c"))[0] == 0
    assert await caps.settle("r1", "CONFIRM", 1_001) == "RETURNED"  # too late to pay


async def test_confirm_keeps_units_and_cancel_after_confirm_does_nothing(services):
    caps = store(services)
    t = Take("c", units=1, cap_units=1)
    assert await caps.reserve("r1", "s", [t], 0, 1_000) is None
    assert await caps.settle("r1", "CONFIRM", 10) == "CONFIRMED"
    assert await caps.settle("r1", "CANCEL", 11) == "CONFIRMED"
    assert (await caps.taken("c"))[0] == 1
    assert await caps.settle("nope", "CANCEL", 11) == "UNKNOWN"
