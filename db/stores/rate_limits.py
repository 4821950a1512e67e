"""Fixed-window request counters per client, shared by every worker through Redis."""

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

    @property
    def hit_sha(self) -> str:
        return self._hit.sha

    def hit_key(self, bucket: str, client: str, window_seconds: int = 60) -> tuple[str, int]:
        """The counter of this window, and the window's length (the script's KEYS and ARGV)."""
        window = int(self.clock.now().timestamp()) // window_seconds
        return self.key("rate", bucket, client, window), window_seconds

    async def allow(self, bucket: str, client: str, limit: int, window_seconds: int = 60) -> bool:
        key, seconds = self.hit_key(bucket, client, window_seconds)
        count = await self._hit(keys=[key], args=[seconds])
        return int(count) <= limit
