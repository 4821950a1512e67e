"""The catalog version counter: bumped after every catalog change (a seed, a migration), read
by every request's admission script, so each worker drops its cached catalog on its next
request."""

from __future__ import annotations

from db.stores.base import Store


class CatalogVersionStore(Store):
    @property
    def version_key(self) -> str:
        return self.key("catalog", "version")

    async def version(self) -> str | None:
        return await self.redis.get(self.version_key)

    async def bump(self) -> int:
        return await self.redis.incr(self.version_key)
