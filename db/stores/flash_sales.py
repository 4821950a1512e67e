"""Flash-sale stock in Redis: one family of Lua scripts, the semantics of
`domain.flash.ledger.FlashLedger` step for step (a state-machine test runs both side by side).

Every key of a sale carries the hash tag `{fs:<id>}`, so a sale lives in one Redis Cluster slot
and every script lists all the keys it touches in KEYS. The scripts fail closed: without the
sale's `meta` hash (Redis restarted empty, or a failover lost it) they answer NOT_LOADED and
change nothing; the caller rebuilds the sale from the database (`load`) and tries again.

The window and deadlines are checked against Redis `TIME`, one clock for every worker and host
(`clock_ms` pins another clock, for tests that move business time). Scripts are registered with
redis-py's `register_script`: EVALSHA, and EVAL + reload when a restarted Redis lost the script.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from redis.asyncio.cluster import RedisCluster

from db.stores.base import Store
from domain.flash.ledger import Hold, HoldState, TakeCode, TakeResult, Terms

EVENTS_MAXLEN = 10_000
REQUEST_TTL_SECONDS = 3 * 86400
GONE_TTL_SECONDS = 7 * 86400
LOAD_LOCK_MS = 30_000

_NOW = """
local function now_ms(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"""

# KEYS: meta, stock, sub, req, deadlines, events, booked, reservation, stats, free
# ARGV: rid, subscriber, quantity, now_ms ('' = Redis TIME), request ttl seconds
# The sale's unit numbers: `free` holds the given-back ones (all below meta `next`), every number
# from `next` on is unused, so a take gets the lowest free numbers in O(log n).
TAKE = (
    _NOW
    + """
local m = redis.call('HMGET', KEYS[1], 'starts', 'ends', 'priority_ends', 'limit', 'pay_ms',
                     'cancelled', 'next')
if not m[7] then return 'NOT_LOADED' end
local function answer(result, keep)
  if keep then redis.call('SET', KEYS[4], result, 'EX', tonumber(ARGV[5])) end
  redis.call('HINCRBY', KEYS[9], string.match(result, '^[A-Z_]+'), 1)
  return result
end
local earlier = redis.call('GET', KEYS[4])
if earlier then redis.call('HINCRBY', KEYS[9], 'REPLAYED', 1); return earlier end
local now = now_ms(ARGV[4])
if now < tonumber(m[1]) then return answer('NOT_STARTED', false) end
if m[6] == '1' or now >= tonumber(m[2]) then return answer('ENDED', true) end
if now < tonumber(m[3]) and redis.call('SISMEMBER', KEYS[7], ARGV[2]) == 0 then
  return answer('BOOKING_REQUIRED', false)
end
local qty = tonumber(ARGV[3])
local used = redis.call('SMEMBERS', KEYS[3])
if #used + qty > tonumber(m[4]) then return answer('LIMIT_REACHED', true) end
local stock = tonumber(redis.call('GET', KEYS[2]) or '0')
if stock < qty then return answer('SOLD_OUT', true) end
local taken = {}
for _, s in ipairs(used) do taken[tonumber(s)] = true end
local units = {}
local n = 1
while #units < qty do
  if not taken[n] then units[#units + 1] = n end
  n = n + 1
end
local numbers = {}
local popped = redis.call('ZPOPMIN', KEYS[10], qty)
for i = 1, #popped, 2 do numbers[#numbers + 1] = tonumber(popped[i]) end
local nxt = tonumber(m[7])
while #numbers < qty do numbers[#numbers + 1] = nxt; nxt = nxt + 1 end
redis.call('HSET', KEYS[1], 'next', nxt)
redis.call('DECRBY', KEYS[2], qty)
redis.call('SADD', KEYS[3], unpack(units))
local deadline = now + tonumber(m[5])
local list = table.concat(units, ',')
local nos = table.concat(numbers, ',')
redis.call('HSET', KEYS[8], 'sub', ARGV[2], 'units', list, 'deadline', deadline, 'state', 'HELD',
           'numbers', nos)
redis.call('ZADD', KEYS[5], deadline, ARGV[1])
redis.call('XADD', KEYS[6], 'MAXLEN', '~', EVENTS_MAXLEN, '*', 'event', 'TAKEN', 'rid', ARGV[1],
           'remaining', stock - qty)
return answer('OK|' .. ARGV[1] .. '|' .. list .. '|' .. deadline .. '|' .. nos, true)
""".replace("EVENTS_MAXLEN", str(EVENTS_MAXLEN))
)

# KEYS: meta, reservation, stock, sub, deadlines, events, free
# ARGV: rid, action (CONFIRM, EXPIRE, RELEASE), now_ms ('' = Redis TIME)
SETTLE = (
    _NOW
    + """
if redis.call('HEXISTS', KEYS[1], 'next') == 0 then return 'NOT_LOADED' end
local h = redis.call('HMGET', KEYS[2], 'state', 'deadline', 'units', 'numbers')
local state = h[1]
if not state then return 'UNKNOWN' end
local function give_back(to)
  local units = {}
  for u in string.gmatch(h[3], '[^,]+') do units[#units + 1] = u end
  local stock = redis.call('INCRBY', KEYS[3], #units)
  redis.call('SREM', KEYS[4], unpack(units))
  local free = {}
  for u in string.gmatch(h[4], '[^,]+') do free[#free + 1] = u; free[#free + 1] = u end
  redis.call('ZADD', KEYS[7], unpack(free))
  redis.call('ZREM', KEYS[5], ARGV[1])
  redis.call('HSET', KEYS[2], 'state', to)
  redis.call('EXPIRE', KEYS[2], GONE_TTL_SECONDS)
  redis.call('XADD', KEYS[6], 'MAXLEN', '~', EVENTS_MAXLEN, '*', 'event', to, 'rid', ARGV[1],
             'remaining', stock)
  return to
end
local action = ARGV[2]
if action == 'RELEASE' then
  if state == 'HELD' then return give_back('RETURNED') end
  if state == 'CONFIRMED' then return give_back('RELEASED') end
  return state
end
if state ~= 'HELD' then return state end
local lapsed = now_ms(ARGV[3]) >= tonumber(h[2])
if action == 'CONFIRM' then
  if lapsed then return give_back('RETURNED') end
  redis.call('HSET', KEYS[2], 'state', 'CONFIRMED')
  redis.call('ZREM', KEYS[5], ARGV[1])
  return 'CONFIRMED'
end
if lapsed then return give_back('RETURNED') end
return state
""".replace("GONE_TTL_SECONDS", str(GONE_TTL_SECONDS)).replace("EVENTS_MAXLEN", str(EVENTS_MAXLEN))
)

# KEYS: req, stats. ARGV: the code the granted request was refused with after all. The grant's
# kept answer goes (the same request is decided again) and its count moves from OK to that code.
FORGET = """
redis.call('DEL', KEYS[1])
redis.call('HINCRBY', KEYS[2], 'OK', -1)
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
"""

# KEYS: stats, flushing. Moves the counted statistics aside for one flush (a flush that failed
# left them in `flushing`: those go first).
TAKE_STATS = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
  redis.call('RENAME', KEYS[1], KEYS[2])
end
return redis.call('HGETALL', KEYS[2])
"""


@dataclass(frozen=True)
class Kept:
    """A reservation the database holds (HELD or PAID), to load back into Redis."""

    hold: Hold
    request_key: str


def parse_take(raw: str) -> TakeResult:
    if not raw.startswith("OK|"):
        return TakeResult(TakeCode(raw))
    _, rid, units, deadline, numbers = raw.split("|")
    return TakeResult(TakeCode.OK, rid, _ints(units), int(deadline), _ints(numbers))


def _ints(listed: str) -> tuple[int, ...]:
    return tuple(int(u) for u in listed.split(","))


def _listed(numbers: Iterable[int]) -> str:
    return ",".join(str(u) for u in numbers)


class FlashSaleStore(Store):
    def __init__(self, redis, prefix: str, clock_ms: Callable[[], int] | None = None) -> None:
        super().__init__(redis, prefix)
        self.clock_ms = clock_ms
        self._take = redis.register_script(TAKE)
        self._settle = redis.register_script(SETTLE)
        self._take_stats = redis.register_script(TAKE_STATS)
        self._forget = redis.register_script(FORGET)

    def sale_key(self, sale_id: str, *parts: object) -> str:
        return self.key(f"{{fs:{sale_id}}}", *parts)

    def _now_arg(self, now_ms: int | None) -> str:
        if now_ms is not None:
            return str(now_ms)
        return "" if self.clock_ms is None else str(self.clock_ms())

    # --- the scripts' calls (exposed so a sync client can run the very same scripts) ---------

    def take_call(
        self,
        sale_id: str,
        request_key: str,
        rid: str,
        subscriber: str,
        quantity: int,
        now_ms: int | None = None,
    ) -> tuple[list[str], list[object]]:
        k = self.sale_key
        keys = [
            k(sale_id, "meta"),
            k(sale_id, "stock"),
            k(sale_id, "sub", subscriber),
            k(sale_id, "req", subscriber, request_key),
            k(sale_id, "deadlines"),
            k(sale_id, "events"),
            k(sale_id, "booked"),
            k(sale_id, "r", rid),
            k(sale_id, "stats"),
            k(sale_id, "free"),
        ]
        args: list[object] = [
            rid, subscriber, quantity, self._now_arg(now_ms), REQUEST_TTL_SECONDS,
        ]  # fmt: skip
        return keys, args

    def settle_call(
        self, sale_id: str, rid: str, subscriber: str, action: str, now_ms: int | None = None
    ) -> tuple[list[str], list[object]]:
        if action not in ("CONFIRM", "EXPIRE", "RELEASE"):
            raise ValueError(f"unknown action {action!r}")
        k = self.sale_key
        keys = [
            k(sale_id, "meta"),
            k(sale_id, "r", rid),
            k(sale_id, "stock"),
            k(sale_id, "sub", subscriber),
            k(sale_id, "deadlines"),
            k(sale_id, "events"),
            k(sale_id, "free"),
        ]
        return keys, [rid, action, self._now_arg(now_ms)]

    def script(self, name: str):
        """TAKE or SETTLE as registered: with a sync client it runs synchronously."""
        return {"TAKE": self._take, "SETTLE": self._settle}[name]

    # --- async use ---------------------------------------------------------------------------

    async def take(
        self, sale_id: str, request_key: str, rid: str, subscriber: str, quantity: int
    ) -> TakeResult:
        keys, args = self.take_call(sale_id, request_key, rid, subscriber, quantity)
        return parse_take(await self._take(keys=keys, args=args))

    async def settle(self, sale_id: str, rid: str, subscriber: str, action: str) -> str:
        """The reservation's state afterwards (see HoldState), or NOT_LOADED."""
        keys, args = self.settle_call(sale_id, rid, subscriber, action)
        return await self._settle(keys=keys, args=args)

    async def due(self, sale_id: str, limit: int = 500) -> list[tuple[str, str]]:
        """(reservation id, subscriber) of held reservations past their deadline."""
        now = self._now_arg(None)
        if now == "":
            seconds, micros = await self.redis.time()
            now = str(seconds * 1000 + micros // 1000)
        rids = await self.redis.zrangebyscore(
            self.sale_key(sale_id, "deadlines"), "-inf", now, start=0, num=limit
        )
        if not rids:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for rid in rids:
            pipe.hget(self.sale_key(sale_id, "r", rid), "sub")
        subs = await pipe.execute()
        return [(rid, sub) for rid, sub in zip(rids, subs, strict=True) if sub]

    async def earlier(self, sale_id: str, subscriber: str, request_key: str) -> TakeResult | None:
        """The answer a request key already got, without running anything."""
        found = await self.redis.get(self.sale_key(sale_id, "req", subscriber, request_key))
        return None if found is None else parse_take(found)

    async def forget_request(
        self, sale_id: str, subscriber: str, request_key: str, refused_as: str
    ) -> None:
        """A unit granted to a request that was refused after all (`refused_as`, e.g.
        NOT_ELIGIBLE) and given back: the request's kept answer goes, so the same request is
        decided again, and the statistics count the refusal, not a sale."""
        keys = [
            self.sale_key(sale_id, "req", subscriber, request_key),
            self.sale_key(sale_id, "stats"),
        ]
        await self._forget(keys=keys, args=[refused_as])

    async def remaining(self, sale_id: str) -> int | None:
        """Units left, or None when the sale is not loaded."""
        stock = await self.redis.get(self.sale_key(sale_id, "stock"))
        return None if stock is None else int(stock)

    async def remaining_many(self, sale_ids: Sequence[str]) -> dict[str, int | None]:
        pipe = self.redis.pipeline(transaction=False)
        for sid in sale_ids:
            pipe.get(self.sale_key(sid, "stock"))
        values = await pipe.execute()
        return {sid: None if v is None else int(v) for sid, v in zip(sale_ids, values, strict=True)}

    async def loaded(self, sale_id: str) -> bool:
        return bool(await self.redis.hexists(self.sale_key(sale_id, "meta"), "next"))

    async def book(self, sale_id: str, subscriber: str) -> None:
        await self.redis.sadd(self.sale_key(sale_id, "booked"), subscriber)

    async def cancel(self, sale_id: str) -> None:
        if await self.loaded(sale_id):
            await self.redis.hset(self.sale_key(sale_id, "meta"), "cancelled", 1)

    async def state(self, sale_id: str, rid: str) -> HoldState:
        found = await self.redis.hget(self.sale_key(sale_id, "r", rid), "state")
        return HoldState(found) if found else HoldState.UNKNOWN

    # --- rebuilding from the database -------------------------------------------------------

    async def lock_load(self, sale_id: str) -> bool:
        return bool(
            await self.redis.set(self.sale_key(sale_id, "loading"), 1, nx=True, px=LOAD_LOCK_MS)
        )

    async def unlock_load(self, sale_id: str) -> None:
        await self.redis.delete(self.sale_key(sale_id, "loading"))

    async def close(self, sale_id: str) -> None:
        """Every script fails closed (NOT_LOADED) until the sale is loaded again."""
        await self.redis.delete(self.sale_key(sale_id, "meta"))

    async def unload(self, sale_id: str) -> None:
        """Forget everything of the sale but its statistics (the next call rebuilds it)."""
        await self.redis.delete(self.sale_key(sale_id, "meta"))
        keep = {self.sale_key(sale_id, "stats"), self.sale_key(sale_id, "stats-flushing")}
        keep.add(self.sale_key(sale_id, "loading"))
        found = [
            key
            async for key in self.redis.scan_iter(match=self._pattern(sale_id), count=1000)
            if key not in keep
        ]
        for i in range(0, len(found), 500):
            await self.redis.delete(*found[i : i + 500])

    def _pattern(self, sale_id: str) -> str:
        escaped = self.sale_key(sale_id, "").replace("{", "\\{").replace("}", "\\}")
        return escaped.replace("[", "\\[").replace("*", "\\*").replace("?", "\\?") + "*"

    async def load(
        self, sale_id: str, terms: Terms, booked: Iterable[str], kept: Sequence[Kept]
    ) -> None:
        """Replace the sale's Redis state with the database's: stock = total - held - paid, each
        subscriber's slots, the sale's free unit numbers (`free` below `next`), held reservations
        with their deadlines (so the reaper finds them), the request keys that made them (so they
        replay), bookings. The `meta` hash goes last: until it has `next` every script fails
        closed (a sale loaded before unit numbers existed is loaded again). Call under
        `lock_load`."""
        await self.unload(sale_id)
        k = self.sale_key
        pipe = self.redis.pipeline(transaction=True)  # one MULTI/EXEC: all of it or none
        taken = 0
        slots: dict[str, list[int]] = {}
        numbers: set[int] = set()
        for item in kept:
            h = item.hold
            taken += len(h.units)
            slots.setdefault(h.subscriber, []).extend(h.units)
            numbers.update(h.numbers)
            units, nos = _listed(h.units), _listed(h.numbers)
            pipe.hset(
                k(sale_id, "r", h.reservation_id),
                mapping={
                    "sub": h.subscriber, "units": units, "deadline": h.deadline_ms,
                    "state": h.state.value, "numbers": nos,
                },
            )  # fmt: skip
            if h.state is HoldState.HELD:
                pipe.zadd(k(sale_id, "deadlines"), {h.reservation_id: h.deadline_ms})
            pipe.set(
                k(sale_id, "req", h.subscriber, item.request_key),
                f"OK|{h.reservation_id}|{units}|{h.deadline_ms}|{nos}",
                ex=REQUEST_TTL_SECONDS,
            )
        for subscriber, units in slots.items():
            pipe.sadd(k(sale_id, "sub", subscriber), *units)
        following = max(numbers, default=0) + 1
        free = [n for n in range(1, following) if n not in numbers]
        for i in range(0, len(free), 1000):
            pipe.zadd(k(sale_id, "free"), {n: n for n in free[i : i + 1000]})
        booked = list(booked)
        if booked:
            pipe.sadd(k(sale_id, "booked"), *booked)
        pipe.set(k(sale_id, "stock"), terms.units_total - taken)
        pipe.hset(
            k(sale_id, "meta"),
            mapping={
                "starts": terms.starts_ms, "ends": terms.ends_ms,
                "priority_ends": terms.priority_ends_ms, "limit": terms.per_subscriber_limit,
                "pay_ms": terms.pay_ms, "cancelled": 1 if terms.cancelled else 0,
                "total": terms.units_total, "next": following,
            },
        )  # fmt: skip
        await pipe.execute()

    # --- statistics ---------------------------------------------------------------------------

    async def take_stats(self, sale_id: str) -> dict[str, int]:
        """The answers counted since the last flush (moved aside until `stats_flushed`)."""
        keys = [self.sale_key(sale_id, "stats"), self.sale_key(sale_id, "stats-flushing")]
        flat = await self._take_stats(keys=keys, args=[])
        return {flat[i]: int(flat[i + 1]) for i in range(0, len(flat), 2)}

    async def stats_flushed(self, sale_id: str) -> None:
        await self.redis.delete(self.sale_key(sale_id, "stats-flushing"))

    async def events(self, sale_id: str, last_id: str = "$", block_ms: int = 1000, count=100):
        key = self.sale_key(sale_id, "events")
        return await self.redis.xread({key: last_id}, count=count, block=block_ms)

    async def events_tail(self, sale_id: str) -> str:
        """The id of the sale's last event ("0-0" when none): read from there to get what comes."""
        last = await self.redis.xrevrange(self.sale_key(sale_id, "events"), count=1)
        return last[0][0] if last else "0-0"

    async def read_events(self, streams: dict[str, str], count: int, block_ms: int) -> list:
        """XREAD of several sales' event streams ({key: last id}, ids from `events_tail` or the
        entries read). One blocking XREAD on one Redis; on a Redis Cluster the sales live in
        different slots, which one XREAD may not span: there, one non-blocking XREAD per sale in
        a pipeline (one round trip per node), and a pause of `block_ms` when nothing came."""
        if not isinstance(self.redis, RedisCluster):
            return await self.redis.xread(streams, count=count, block=block_ms)
        pipe = self.redis.pipeline(transaction=False)
        for key, last_id in streams.items():
            pipe.xread({key: last_id}, count=count)
        found = [entry for part in await pipe.execute() for entry in (part or [])]
        if not found:
            await asyncio.sleep(block_ms / 1000)
        return found
