"""Consecutive wrong secrets per number and per client IP; reaching the limit locks for a while."""

from __future__ import annotations

from db.stores.base import Store

# KEYS: count, lock. ARGV: limit, lock_seconds. Returns seconds locked (0 when not locked).
FAIL = """
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], 1, 'EX', tonumber(ARGV[2]))
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[2])
end
return 0
"""


def _who(kind: str, value: str) -> str:
    # a hash tag: a counter and its lock share one Redis Cluster slot (FAIL touches both)
    return f"{{{kind}:{value}}}"


class LockoutStore(Store):
    def __init__(self, redis, prefix: str) -> None:
        super().__init__(redis, prefix)
        self._fail = redis.register_script(FAIL)

    async def locked_for(self, msisdn: str, ip: str) -> int:
        """Seconds until both the number and the IP may try again (0 = not locked)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.ttl(self.key("lock", _who("msisdn", msisdn)))
        pipe.ttl(self.key("lock", _who("ip", ip)))
        ttls = await pipe.execute()
        return max(0, *ttls)

    async def record_failure(
        self, msisdn: str, ip: str, limit: int, ip_limit: int, lock_seconds: int
    ) -> int:
        by_number = await self._fail(
            keys=[
                self.key("fails", _who("msisdn", msisdn)),
                self.key("lock", _who("msisdn", msisdn)),
            ],
            args=[limit, lock_seconds],
        )
        by_ip = await self._fail(
            keys=[self.key("fails", _who("ip", ip)), self.key("lock", _who("ip", ip))],
            args=[ip_limit, lock_seconds],
        )
        return max(int(by_number), int(by_ip))

    async def record_success(self, msisdn: str) -> None:
        await self.redis.delete(self.key("fails", _who("msisdn", msisdn)))
