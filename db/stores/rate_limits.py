"""Fixed-window attempt counters per client (SMS codes, card PINs, passkey logins), shared by
every worker through Redis. Request rate limits are token buckets: `db/stores/gate.py`."""

from __future__ import annotations

from db.stores.base import Store
from domain.clock import Clock

# KEYS: window counter. ARGV: window seconds. Returns the count in this window.
HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return n
"""


class RateLimitStore(Store):
    def __init__(self, redis, prefix: str, clock: Clock) -> None:
        super().__init__(redis, prefix)
        self.clock = clock
        self._hit = redis.register_script(HIT)

    async def allow(self, bucket: str, client: str, limit: int, window_seconds: int = 60) -> bool:
        window = int(self.clock.now().timestamp()) // window_seconds
        key = self.key("rate", bucket, client, window)
        count = await self._hit(keys=[key], args=[window_seconds])
        return int(count) <= limit
