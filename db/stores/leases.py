"""Leases with fencing tokens, so one scheduled job runs on one worker at a time across hosts.

`acquire` hands out a token that only grows (INCR on the fence counter); a holder renews its
lease while it works; whoever acquires after a lapse gets a larger token. Writes made under a
lease carry the token and are guarded by it (db/repositories/job_runs.py), which is what makes a
stalled former holder harmless: Redis expiry alone cannot stop a process that wakes up late.
Both keys share a hash tag, so the scripts run on Redis Cluster too."""

from __future__ import annotations

from db.stores.base import Store

# KEYS: lease, fence counter. ARGV: ttl ms. Returns the new token, or 0 when the lease is held.
ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', tonumber(ARGV[1]))
return token
"""

# KEYS: lease. ARGV: token, ttl ms. Returns 1 when the lease is still ours and was extended.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""

# KEYS: lease. ARGV: token. Returns 1 when our lease was released.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LeaseStore(Store):
    def __init__(self, redis, prefix: str) -> None:
        super().__init__(redis, prefix)
        self._acquire = redis.register_script(ACQUIRE)
        self._renew = redis.register_script(RENEW)
        self._release = redis.register_script(RELEASE)

    def _keys(self, name: str) -> list[str]:
        tag = "{lease:" + name + "}"
        return [self.key(tag, "holder"), self.key(tag, "fence")]

    async def acquire(self, name: str, ttl_ms: int) -> int | None:
        token = int(await self._acquire(keys=self._keys(name), args=[ttl_ms]))
        return token or None

    async def renew(self, name: str, token: int, ttl_ms: int) -> bool:
        return bool(await self._renew(keys=self._keys(name)[:1], args=[token, ttl_ms]))

    async def release(self, name: str, token: int) -> bool:
        return bool(await self._release(keys=self._keys(name)[:1], args=[token]))

    async def holder(self, name: str) -> int | None:
        value = await self.redis.get(self._keys(name)[0])
        return int(value) if value is not None else None
