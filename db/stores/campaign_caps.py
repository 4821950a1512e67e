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

    async def restore(self, takes: list[tuple[str, int, int, int]]) -> bool:
        """After Redis lost its data (a restart without persistence, a failover), put back the
        counters PostgreSQL knows were taken. Runs once per Redis dataset (a marker key), and
        never overwrites a counter that exists. Returns whether it ran."""
        if not await self.redis.set(self.key("campaign", "restored"), 1, nx=True):
            return False
        units: dict[str, int] = {}
        budget: dict[str, int] = {}
        pipe = self.redis.pipeline(transaction=False)
        for campaign_id, subscriber_id, n, fen in takes:
            units[campaign_id] = units.get(campaign_id, 0) + n
            budget[campaign_id] = budget.get(campaign_id, 0) + fen
            pipe.set(self.counter_keys(campaign_id, str(subscriber_id))[1], n, nx=True)
        for campaign_id, n in units.items():
            units_key, _, budget_key = self.counter_keys(campaign_id, "-")
            pipe.set(units_key, n, nx=True)
            pipe.set(budget_key, budget[campaign_id], nx=True)
        await pipe.execute()
        return True
