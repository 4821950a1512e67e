"""Campaign caps in Redis (the reservation scripts under the `campaign` namespace) and the
version counter that tells every worker its cached campaigns are stale."""

from __future__ import annotations

from db.stores.reservations import ReservationStore

CONFIRMED_TTL_SECONDS = 120 * 86400  # a confirmed reservation can be released for this long


class CampaignCapStore(ReservationStore):
    def __init__(self, redis, prefix: str) -> None:
        super().__init__(redis, prefix, "campaign")

    def _version_key(self) -> str:
        return self.key("campaign", "version")

    async def version(self) -> str | None:
        return await self.redis.get(self._version_key())

    async def bump_version(self) -> int:
        """After every committed marketing change: all workers reload their campaign index."""
        return await self.redis.incr(self._version_key())

    async def keep_confirmed(self, rid: str) -> None:
        """A confirmed reservation is kept long enough for a scheduled order to be superseded
        before it takes effect, then forgotten (its counters stay)."""
        await self.redis.expire(self._rkey(rid), CONFIRMED_TTL_SECONDS)
