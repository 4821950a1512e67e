"""The campaigns customer quotes are priced against, and what their caps have given out.

Each worker process keeps one compiled `CampaignIndex` of the published campaigns (drafts never
reach customers) that are not over. It is reloaded from the database when

- the campaign version counter in Redis moved: every committed marketing change bumps it, so all
  workers on all hosts see a pause or an end on their very next quote (one GET per quote);
- it is older than `REFRESH` (campaigns that ended meanwhile are rejected OUTSIDE_WINDOW by the
  engine until then, exactly as they should be; the reload only drops them from quotes);
- the clock reads earlier than the index covers (only tests move the clock backwards).

Cap usage is read per quote from Redis: held plus confirmed units, the subscriber's units and the
budget spent, for the capped campaigns that target the cart, in one MGET.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from db.repositories import promotions as repo
from domain.calendar import as_utc
from domain.pricing import Cart
from domain.promotions.caps import CampaignUsage
from domain.promotions.engine import CampaignIndex
from domain.promotions.horizon import considered_from
from domain.promotions.model import Campaign
from resolvers.context import Services

REFRESH = timedelta(minutes=5)


@dataclass(frozen=True)
class LoadedCampaigns:
    version: str | None
    covers_from: datetime  # every published campaign not over at this instant is in the index
    loaded_at: datetime
    index: CampaignIndex
    by_id: Mapping[str, Campaign]

    def fresh(self, version: str | None, now: datetime) -> bool:
        return self.version == version and self.covers_from <= now < self.loaded_at + REFRESH


_cache: dict[str, LoadedCampaigns] = {}
_locks: dict[str, asyncio.Lock] = {}


async def active_campaigns(services: Services, now: datetime) -> LoadedCampaigns:
    store = services.stores.campaign_caps
    now = as_utc(now)
    version = await store.version()
    cached = _cache.get(store.prefix)
    if cached is not None and cached.fresh(version, now):
        return cached
    lock = _locks.setdefault(store.prefix, asyncio.Lock())
    async with lock:
        cached = _cache.get(store.prefix)
        if cached is not None and cached.fresh(version, now):
            return cached
        covers_from = considered_from(now, now)
        campaigns = await repo.published_campaigns(covers_from)
        loaded = LoadedCampaigns(
            version=version,
            covers_from=covers_from,
            loaded_at=now,
            index=CampaignIndex(campaigns),
            by_id={c.id: c for c in campaigns},
        )
        _cache[store.prefix] = loaded
        return loaded


def forget(services: Services) -> None:
    """Drop this process's index (the version bump does the same for every process)."""
    _cache.pop(services.stores.campaign_caps.prefix, None)


async def usage_for(
    services: Services,
    index: CampaignIndex,
    cart: Cart,
    subscriber_id: str | None,
    at: datetime,
) -> dict[str, CampaignUsage]:
    """Cap usage of the capped campaigns that target this cart and run at `at`."""
    capped = [
        rule.campaign.id
        for rule, _ in index.matching(list(cart.lines))
        if rule.campaign.caps.any and rule.campaign.active_at(at)
    ]
    taken = await services.stores.campaign_caps.taken_many(capped, subscriber_id)
    return {
        cid: CampaignUsage(units_taken=u, subscriber_units=s, budget_spent_fen=b)
        for cid, (u, s, b) in taken.items()
    }
