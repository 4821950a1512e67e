"""Capped counters taken by reservations, atomically, in Redis: campaign caps now, flash-sale
stock next. The semantics are those `domain.promotions.caps` states, step for step
(`tests/integration/test_cap_store_machine.py` runs these scripts side by side with the pure
model `tests/cap_ledger.py`):

- reserve takes every counter of the reservation or none; it is refused when any limit (units
  nationwide, units per subscriber, budget fen) would be passed, naming the first that refused.
  The test in RESERVE is the Lua twin of `domain.promotions.caps.within_caps`, the rule the
  engine prices with: change one, change the other.
- a held reservation lapses at its deadline; confirm after that is refused and gives it back.
- cancel and expire give a held reservation back; confirmed ones stay taken.
- release gives back a confirmed reservation too (an order superseded or cancelled before it took
  effect): state RELEASED, counters down; on a held one it acts as cancel.
- every call is idempotent per reservation id (a repeated reserve returns the first answer).
- a capped counter family is taken only while it is LOADED (a marker key per family): after
  Redis lost its data (restarted empty at run time, a failover) the counters are gone and
  RESERVE refuses `UNLOADED:<name>` without taking or remembering anything (it fails closed);
  the caller rebuilds the family from the database (`load`: each counter becomes the larger
  of what Redis has and what the database knows, then the marker is set) and reserves again.
  Uncapped takes (a late re-take of a committed order) need no marker: there is no cap to pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from db.stores.base import Store

# The refusal test below is `within_caps` (domain/promotions/caps.py) in Lua.
# KEYS[1] reservation hash, KEYS[2] deadline zset, then per take: units, per-subscriber, budget.
# ARGV: rid, now_ms, deadline_ms, n, then per take: name, units, budget, cap_units,
# cap_per_subscriber, cap_budget (-1 = no cap).
# KEYS[3 + 3n + i] is take i's loaded marker.
RESERVE = """
local done = redis.call('HGET', KEYS[1], 'result')
if done then return done end
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local a = 5 + i * 6
  local capped = tonumber(ARGV[a + 3]) >= 0 or tonumber(ARGV[a + 4]) >= 0
                 or tonumber(ARGV[a + 5]) >= 0
  if capped and redis.call('EXISTS', KEYS[3 + 3 * n + i]) == 0 then
    return 'UNLOADED:' .. ARGV[a]
  end
end
for i = 0, n - 1 do
  local a = 5 + i * 6
  local units, budget = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local cu, cs, cb = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  local k = 3 + i * 3
  if (cu >= 0 and tonumber(redis.call('GET', KEYS[k]) or '0') + units > cu)
     or (cs >= 0 and tonumber(redis.call('GET', KEYS[k + 1]) or '0') + units > cs)
     or (cb >= 0 and tonumber(redis.call('GET', KEYS[k + 2]) or '0') + budget > cb) then
    local refused = 'REFUSED:' .. ARGV[a]
    redis.call('HSET', KEYS[1], 'result', refused, 'state', 'REFUSED')
    redis.call('EXPIRE', KEYS[1], 7 * 86400)
    return refused
  end
end
local takes = {}
for i = 0, n - 1 do
  local a = 5 + i * 6
  local k = 3 + i * 3
  local units, budget = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  redis.call('INCRBY', KEYS[k], units)
  redis.call('INCRBY', KEYS[k + 1], units)
  redis.call('INCRBY', KEYS[k + 2], budget)
  takes[#takes + 1] = {KEYS[k], KEYS[k + 1], KEYS[k + 2], units, budget}
end
redis.call('HSET', KEYS[1], 'result', 'OK', 'state', 'HELD', 'deadline', ARGV[3],
           'takes', cjson.encode(takes))
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), ARGV[1])
return 'OK'
"""

# Shared by confirm, cancel, expire: give a HELD reservation back.
_GIVE_BACK = """
local function give_back()
  local takes = cjson.decode(redis.call('HGET', KEYS[1], 'takes'))
  for _, t in ipairs(takes) do
    redis.call('DECRBY', t[1], t[4])
    redis.call('DECRBY', t[2], t[4])
    redis.call('DECRBY', t[3], t[5])
  end
  redis.call('HSET', KEYS[1], 'state', 'RETURNED')
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('EXPIRE', KEYS[1], 7 * 86400)
end
"""

# KEYS: reservation, deadlines. ARGV: rid, now_ms, action (CONFIRM, CANCEL, EXPIRE).
SETTLE = (
    _GIVE_BACK
    + """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'UNKNOWN' end
if state ~= 'HELD' then return state end
local action = ARGV[3]
local lapsed = tonumber(ARGV[2]) >= tonumber(redis.call('HGET', KEYS[1], 'deadline'))
if action == 'CONFIRM' then
  if lapsed then give_back(); return 'RETURNED' end
  redis.call('HSET', KEYS[1], 'state', 'CONFIRMED')
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 'CONFIRMED'
end
if action == 'EXPIRE' and not lapsed then return 'HELD' end
give_back()
return 'RETURNED'
"""
)

# KEYS: reservation, deadlines. ARGV: rid. Gives back a CONFIRMED (or HELD) reservation.
RELEASE = (
    _GIVE_BACK
    + """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'UNKNOWN' end
if state == 'HELD' then give_back(); return 'RETURNED' end
if state ~= 'CONFIRMED' then return state end
local takes = cjson.decode(redis.call('HGET', KEYS[1], 'takes'))
for _, t in ipairs(takes) do
  redis.call('DECRBY', t[1], t[4])
  redis.call('DECRBY', t[2], t[4])
  redis.call('DECRBY', t[3], t[5])
end
redis.call('HSET', KEYS[1], 'state', 'RELEASED')
redis.call('EXPIRE', KEYS[1], 7 * 86400)
return 'RELEASED'
"""
)


# KEYS: loaded marker, then counters. ARGV: the database's value of each counter (same order).
# Each counter becomes max(what Redis has, the database's); then the family is marked loaded.
# Returns 1 when it loaded, 0 when the family was loaded already (nothing changed).
LOAD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #KEYS do
  local have = tonumber(redis.call('GET', KEYS[i]) or '0')
  local known = tonumber(ARGV[i - 1])
  if known > have then redis.call('SET', KEYS[i], known) end
end
redis.call('SET', KEYS[1], 1)
return 1
"""


class CountersNotLoaded(Exception):
    """RESERVE refused: the named counter family must be rebuilt from the database first."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Take:
    """One capped counter family (a campaign, a flash-sale offer) and what this order takes."""

    name: str
    units: int
    budget_fen: int = 0
    cap_units: int | None = None
    cap_per_subscriber: int | None = None
    cap_budget_fen: int | None = None


def _cap(value: int | None) -> int:
    return -1 if value is None else value


class ReservationStore(Store):
    def __init__(self, redis, prefix: str, namespace: str) -> None:
        super().__init__(redis, prefix)
        self.namespace = namespace
        self._reserve = redis.register_script(RESERVE)
        self._settle = redis.register_script(SETTLE)
        self._release = redis.register_script(RELEASE)
        self._load = redis.register_script(LOAD)

    def ns_key(self, *parts: object) -> str:
        """A key of this namespace. The hash tag `{<namespace>}` puts every counter, reservation
        and the deadline set in one Redis Cluster slot: one reservation takes the counters of
        several campaigns all or none in one script (see docs/deploy.md, "Redis Cluster")."""
        return self.key(f"{{{self.namespace}}}", *parts)

    def _rkey(self, rid: str) -> str:
        return self.ns_key("reservation", rid)

    def _deadlines(self) -> str:
        return self.ns_key("deadlines")

    def loaded_key(self, name: str) -> str:
        return self.ns_key("loaded", name)  # in the slot of the counters RESERVE checks it with

    def counter_keys(self, name: str, subscriber: str) -> list[str]:
        return [
            self.ns_key("units", name),
            self.ns_key("sub", name, subscriber),
            self.ns_key("budget", name),
        ]

    def reserve_call(
        self, rid: str, subscriber: str, takes: Sequence[Take], now_ms: int, deadline_ms: int
    ) -> tuple[list[str], list[object]]:
        """The script's KEYS and ARGV (exposed so a sync client can run the same script)."""
        if len({t.name for t in takes}) != len(takes):
            raise ValueError("one take per counter family")
        if any(t.units < 0 or t.budget_fen < 0 for t in takes):
            raise ValueError("takes are never negative")
        keys = [self._rkey(rid), self._deadlines()]
        args: list[object] = [rid, now_ms, deadline_ms, len(takes)]
        markers = []
        for t in takes:
            keys += self.counter_keys(t.name, subscriber)
            markers.append(self.loaded_key(t.name))
            args += [
                t.name,
                t.units,
                t.budget_fen,
                _cap(t.cap_units),
                _cap(t.cap_per_subscriber),
                _cap(t.cap_budget_fen),
            ]
        return keys + markers, args

    async def reserve(
        self, rid: str, subscriber: str, takes: Sequence[Take], now_ms: int, deadline_ms: int
    ) -> str | None:
        """None when reserved, else the name of the counter family that refused; raises
        CountersNotLoaded when a capped family must be loaded first (nothing was taken)."""
        keys, args = self.reserve_call(rid, subscriber, takes, now_ms, deadline_ms)
        result = await self._reserve(keys=keys, args=args)
        if result == "OK":
            return None
        outcome, name = result.split(":", 1)
        if outcome == "UNLOADED":
            raise CountersNotLoaded(name)
        return name

    def load_call(
        self, name: str, units: int, budget: int, per_subscriber: dict[str, int]
    ) -> tuple[list[str], list[object]]:
        units_key, _, budget_key = self.counter_keys(name, "-")
        keys = [self.loaded_key(name), units_key, budget_key]
        args: list[object] = [units, budget]
        for subscriber, n in sorted(per_subscriber.items()):
            keys.append(self.counter_keys(name, subscriber)[1])
            args.append(n)
        return keys, args

    async def load(
        self, name: str, units: int, budget: int, per_subscriber: dict[str, int]
    ) -> bool:
        """Rebuild one counter family from what the database knows was taken (units, budget fen,
        units per subscriber) and mark it loaded; False when it was loaded already."""
        keys, args = self.load_call(name, units, budget, per_subscriber)
        return bool(await self._load(keys=keys, args=args))

    async def is_loaded(self, name: str) -> bool:
        return bool(await self.redis.exists(self.loaded_key(name)))

    def settle_call(self, rid: str, action: str, now_ms: int) -> tuple[list[str], list[object]]:
        if action not in ("CONFIRM", "CANCEL", "EXPIRE"):
            raise ValueError(f"unknown action {action!r}")
        return [self._rkey(rid), self._deadlines()], [rid, now_ms, action]

    def release_call(self, rid: str) -> tuple[list[str], list[object]]:
        return [self._rkey(rid), self._deadlines()], [rid]

    async def settle(self, rid: str, action: str, now_ms: int) -> str:
        """CONFIRM, CANCEL or EXPIRE; returns the reservation's state afterwards."""
        keys, args = self.settle_call(rid, action, now_ms)
        return await self._settle(keys=keys, args=args)

    async def release(self, rid: str) -> str:
        """Give back a confirmed (or held) reservation; returns its state afterwards: RELEASED,
        RETURNED, or UNKNOWN / REFUSED when there was nothing to give back."""
        keys, args = self.release_call(rid)
        return await self._release(keys=keys, args=args)

    async def state(self, rid: str) -> str | None:
        return await self.redis.hget(self._rkey(rid), "state")

    def script(self, name: str):
        """The registered script object (RESERVE, SETTLE, RELEASE or LOAD): with a sync client
        it runs synchronously, which is how the state-machine test drives the very same Lua."""
        return {
            "RESERVE": self._reserve,
            "SETTLE": self._settle,
            "RELEASE": self._release,
            "LOAD": self._load,
        }[name]

    async def due(self, now_ms: int, limit: int = 500) -> list[str]:
        """Held reservations whose deadline has passed, for the sweeper."""
        return await self.redis.zrangebyscore(self._deadlines(), "-inf", now_ms, start=0, num=limit)

    async def taken(self, name: str, subscriber: str | None = None) -> tuple[int, int, int]:
        """Units nationwide, units of `subscriber`, budget fen: held plus confirmed."""
        units, sub, budget = self.counter_keys(name, subscriber or "-")
        values = await self.redis.mget(units, sub, budget)
        return tuple(int(v or 0) for v in values)  # type: ignore[return-value]

    async def taken_many(
        self, names: Sequence[str], subscriber: str | None = None
    ) -> dict[str, tuple[int, int, int]]:
        """`taken` for several counter families in one round trip (one MGET)."""
        if not names:
            return {}
        keys = [k for name in names for k in self.counter_keys(name, subscriber or "-")]
        values = [int(v or 0) for v in await self.redis.mget(keys)]
        return {
            name: (values[3 * i], values[3 * i + 1], values[3 * i + 2])
            for i, name in enumerate(names)
        }
