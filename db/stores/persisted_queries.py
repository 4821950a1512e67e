"""The registry of automatic persisted queries (Apollo's APQ): sha256 → query text, shared by
every worker and host, so a hash registered through one is known to all.

Bounded two ways: each entry lives `ttl_seconds` after its last registration, and at most
`max_entries` are kept (the registration order is a sorted set; past the bound the oldest are
dropped). Only documents that parsed and validated are registered. All keys share the hash tag
`{apq}`, so the script runs on Redis Cluster too."""

from __future__ import annotations

from db.stores.base import Store

# KEYS: query, order (sorted set of hashes by registration), sequence. ARGV: hash, text,
# ttl s, max entries, prefix of query keys. Returns how many old entries were dropped.
REGISTER = """
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over <= 0 then return 0 end
local oldest = redis.call('ZPOPMIN', KEYS[2], over)
for i = 1, #oldest, 2 do redis.call('DEL', ARGV[5] .. oldest[i]) end
return over
"""

TAG = "{apq}"


class PersistedQueryStore(Store):
    def __init__(self, redis, prefix: str) -> None:
        super().__init__(redis, prefix)
        self._register = redis.register_script(REGISTER)

    def _query_key(self, sha256: str) -> str:
        return self.key(TAG, "query", sha256)

    async def get(self, sha256: str) -> str | None:
        return await self.redis.get(self._query_key(sha256))

    async def register(self, sha256: str, query: str, ttl_seconds: int, max_entries: int) -> int:
        keys = [self._query_key(sha256), self.key(TAG, "order"), self.key(TAG, "sequence")]
        prefix = self._query_key("")
        return int(
            await self._register(keys=keys, args=[sha256, query, ttl_seconds, max_entries, prefix])
        )
