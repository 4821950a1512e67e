"""The hot catalog rows (listed plans, packs, add-ons, roaming destinations) each worker keeps
in memory.

Like the campaign index (`resolvers.promotion_index`), the rows are reloaded when

- the catalog version counter in Redis moved: every catalog change (a seed, a migration, through
  `changed`) bumps it. The request's admission script reads the counter along with the session
  and the rate limit, so checking it costs no round trip; a request that was not admitted
  through the script (a cluster, a job) reads it with one GET;
- they are older than `REFRESH` (a Redis that lost the counter and counted back to the same
  value is caught then);
- the clock reads earlier than they were loaded (only tests move the clock backwards).

While Redis is away the rows cached are served (reloaded from the database after `REFRESH`),
and reloaded once it answers again.

The rows are shared by every request of the process: read them, never change them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from db.models.catalog import AddOn, Pack, Plan, RoamingDestination
from db.repositories import catalog as repo
from db.stores.catalog_version import UNREACHABLE

if TYPE_CHECKING:
    from resolvers.context import RequestContext, Services

REFRESH = timedelta(minutes=5)


@dataclass(frozen=True)
class CatalogRows:
    version: str | None
    loaded_at: datetime
    plans: tuple[Plan, ...]  # listed and active
    packs: dict[str, Pack]  # every pack, on sale or not
    add_ons: dict[str, AddOn]  # every add-on, on sale or not
    destinations: dict[str, RoamingDestination]  # by code, active or not

    def fresh(self, version: str | None, now: datetime) -> bool:
        known = version in (self.version, UNREACHABLE)
        return known and self.loaded_at <= now < self.loaded_at + REFRESH


class CatalogCache:
    """One per process (held by `Services`)."""

    def __init__(self) -> None:
        self._rows: CatalogRows | None = None
        self._lock = asyncio.Lock()

    async def rows(self, ctx: RequestContext) -> CatalogRows:
        if ctx.catalog_version_read:
            version = ctx.catalog_version
        else:
            version = await ctx.stores.catalog_version.version()
            ctx.catalog_version, ctx.catalog_version_read = version, True
        now = ctx.now()
        rows = self._rows
        if rows is not None and rows.fresh(version, now):
            return rows
        async with self._lock:
            rows = self._rows
            if rows is not None and rows.fresh(version, now):
                return rows
            plans, packs, add_ons, destinations = await repo.hot_rows()
            rows = CatalogRows(
                version=version,
                loaded_at=now,
                plans=tuple(plans),
                packs={p.id: p for p in packs},
                add_ons={a.id: a for a in add_ons},
                destinations={d.code: d for d in destinations},
            )
            self._rows = rows
            return rows

    def forget(self) -> None:
        self._rows = None


async def changed(services: Services) -> None:
    """After a committed catalog change: every worker reloads the rows on its next request."""
    await services.stores.catalog_version.bump()
    services.catalog.forget()
