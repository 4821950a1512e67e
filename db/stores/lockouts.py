"""Wrong secrets per account (a number, or `staff:<username>`) and per client address.

An attempt is taken BEFORE the secret is verified, in one script (BEGIN): refused when the
account is locked or another verification of it is in flight, else counted as a failure in
advance and marked in flight. FINISH then clears the count (right secret) or keeps it and locks
at the limit (wrong one). So parallel guesses cannot outrun the counter, a crash between the two
leaves the attempt counted (never forgiven), and at most one argon2 runs per account at a time.

The per-address counter never locks an account: it only tells the caller how many wrong secrets
came from the address lately, and the caller escalates (captcha, then slow down). One CGNAT
address or company NAT therefore cannot lock out the people behind it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from db.stores.base import Store

# KEYS: fails, lock, inflight (of the account: one Redis Cluster slot). ARGV: limit,
# lock_seconds, inflight_ms, token. Returns {outcome, seconds}: outcome LOCKED (seconds = lock
# left), BUSY (another verification in flight) or OK (the attempt is counted and in flight).
BEGIN = """
local lock = redis.call('TTL', KEYS[2])
if lock > 0 then return {'LOCKED', lock} end
if redis.call('SET', KEYS[3], ARGV[4], 'NX', 'PX', tonumber(ARGV[3])) == false then
  return {'BUSY', 0}
end
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
if n > tonumber(ARGV[1]) then
  -- a counted attempt never finished (a crash) and reached the limit: lock now
  redis.call('SET', KEYS[2], 1, 'EX', tonumber(ARGV[2]))
  redis.call('DEL', KEYS[1], KEYS[3])
  return {'LOCKED', tonumber(ARGV[2])}
end
return {'OK', 0}
"""

# KEYS: fails, lock, inflight. ARGV: limit, lock_seconds, token, ok (1/0).
# Returns seconds locked (0 when not locked).
FINISH = """
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
if ARGV[4] == '1' then
  redis.call('DEL', KEYS[1])
  return 0
end
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], 1, 'EX', tonumber(ARGV[2]))
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[2])
end
return 0
"""

# a verification that takes longer than this (a dead worker) no longer blocks the account
INFLIGHT_MS = 10_000


@dataclass(frozen=True)
class Attempt:
    outcome: str  # OK, LOCKED, BUSY
    seconds: int  # lock left when LOCKED
    ip_failures: int  # wrong secrets from this client address in the window
    token: str = ""


def _who(kind: str, value: str) -> str:
    # a hash tag: an account's count, lock and in-flight mark share one Redis Cluster slot
    return f"{{{kind}:{value}}}"


class LockoutStore(Store):
    def __init__(self, redis, prefix: str) -> None:
        super().__init__(redis, prefix)
        self._begin = redis.register_script(BEGIN)
        self._finish = redis.register_script(FINISH)

    def _keys(self, account: str) -> list[str]:
        who = _who("acct", account)
        return [self.key("fails", who), self.key("lock", who), self.key("inflight", who)]

    def _ip_key(self, ip: str) -> str:
        return self.key("fails", _who("ip", ip))

    async def begin(self, account: str, ip: str, limit: int, lock_seconds: int) -> Attempt:
        token = secrets.token_hex(8)
        ip_fails = await self.ip_failures(ip)  # another slot than the account's keys
        outcome, seconds = await self._begin(
            keys=self._keys(account), args=[limit, lock_seconds, INFLIGHT_MS, token]
        )
        return Attempt(str(outcome), int(seconds), ip_fails, token)

    async def finish(
        self, account: str, ip: str, attempt: Attempt, ok: bool, limit: int, lock_seconds: int
    ) -> int:
        """Seconds the account is now locked for (0 = not locked)."""
        if not ok:
            pipe = self.redis.pipeline(transaction=False)
            pipe.incr(self._ip_key(ip))
            pipe.expire(self._ip_key(ip), lock_seconds)
            await pipe.execute()
        return int(
            await self._finish(
                keys=self._keys(account),
                args=[limit, lock_seconds, attempt.token, 1 if ok else 0],
            )
        )

    async def ip_failures(self, ip: str) -> int:
        return int(await self.redis.get(self._ip_key(ip)) or 0)

    async def record_success(self, account: str) -> None:
        """Another way in proved the owner (an SMS reset): the count and any lock end."""
        fails, lock, _ = self._keys(account)
        await self.redis.delete(fails, lock)
