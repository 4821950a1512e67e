"""The catalog version counter: bumped after every catalog change (a seed, a migration), read
by every request's admission script, so each worker drops its cached catalog on its next
request."""

from __future__ import annotations

from redis.exceptions import RedisError

from db.stores.base import Store

# Never a counter's value: rows cached while Redis is away are stale once it answers again.
UNREACHABLE = "unreachable"


class CatalogVersionStore(Store):
    @property
    def version_key(self) -> str:
        return self.key("catalog", "version")

    async def version(self) -> str | None:
        """UNREACHABLE while Redis is away: the catalog needs no Redis to be read."""
        try:
            return await self.redis.get(self.version_key)
        except RedisError:
            return UNREACHABLE

    async def bump(self) -> int:
        return await self.redis.incr(self.version_key)
