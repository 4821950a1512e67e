"""Campaign caps in Redis (the reservation scripts under the `campaign` namespace), their
per-campaign loaded markers, and the version counter that tells every worker its cached
campaigns are stale."""

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

    async def load_from(self, campaign_id: str, takes: list[tuple[str, int, int, int]]) -> bool:
        """Rebuild one campaign's counters from the database's takes (campaign id, subscriber
        id, units, fen) and mark it loaded; False when it was loaded already."""
        units = budget = 0
        per_subscriber: dict[str, int] = {}
        for cid, subscriber_id, n, fen in takes:
            if cid != campaign_id:
                continue
            units += n
            budget += fen
            per_subscriber[str(subscriber_id)] = per_subscriber.get(str(subscriber_id), 0) + n
        return await self.load(campaign_id, units, budget, per_subscriber)

    async def restore(self, campaign_ids: set[str], takes: list[tuple[str, int, int, int]]) -> int:
        """At start-up: load every campaign the database knows takes of (others load on their
        first reservation). Returns how many were loaded now."""
        loaded = 0
        for campaign_id in sorted(campaign_ids | {t[0] for t in takes}):
            loaded += await self.load_from(campaign_id, takes)
        return loaded
