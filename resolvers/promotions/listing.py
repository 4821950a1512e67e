"""Campaigns as customers and marketers list them, their stats (batched per request) and the
audit log of marketing changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from db.models.promotions import CampaignAudit, CampaignStats
from db.repositories import promotions as repo
from domain.promotions import model as promo
from resolvers.context import RequestContext
from resolvers.loaders import loader
from resolvers.pagination import Page, keyset_page
from resolvers.promotions.views import CampaignView, view_of

Status = promo.CampaignStatus


async def campaign_by_id(campaign_id: str, staff: bool, now: datetime) -> CampaignView | None:
    row = await repo.campaign_by_id(campaign_id)
    if row is None:
        return None
    found = view_of(row, now)
    if not staff and found.status is not Status.ACTIVE:
        return None
    return found


async def campaigns_page(
    staff: bool,
    statuses: Sequence[promo.CampaignStatus],
    festival_id: str | None,
    search: str | None,
    first: int | None,
    after: str | None,
    now: datetime,
) -> Page[CampaignView]:
    """Marketing sees every campaign (filtered); customers and anonymous callers only ACTIVE."""
    if not staff:
        statuses = [Status.ACTIVE]
    search = (search or "").strip()[:64] or None
    query = repo.campaign_query(now, statuses, (festival_id or "").strip() or None, search)
    page = await keyset_page(query, first, after, ("-created_at", "-id"))
    return page.map(lambda row: view_of(row, now))


# --- stats (per request, batched) -----------------------------------------------------------


@dataclass(frozen=True)
class CampaignStatsView:
    orders_count: int
    units_used: int
    discount_given_fen: int
    revenue_fen: int
    units_taken: int  # held + confirmed in Redis right now
    budget_spent_fen: int


async def flush_campaign_stats(limit: int = 5000) -> int:
    """Fold the campaigns' pending count changes into their stats rows (the server every
    round, `telehall promotions flush-stats`); readers are exact without it."""
    return await repo.flush_stats(limit)


async def campaign_stats(ctx: RequestContext, campaign_id: str) -> CampaignStatsView:
    return await loader(ctx, "campaign_stats", lambda: _stats_batch(ctx)).load(campaign_id)


def _stats_batch(ctx: RequestContext):
    async def load(keys: Sequence[str]) -> list[CampaignStatsView]:
        committed = await repo.stats_by_campaign(keys)
        live = await ctx.stores.campaign_caps.taken_many(list(dict.fromkeys(keys)))
        out = []
        for key in keys:
            row: CampaignStats | None = committed.get(key)
            units, _, budget = live.get(key, (0, 0, 0))
            out.append(
                CampaignStatsView(
                    orders_count=row.orders_count if row else 0,
                    units_used=row.units_used if row else 0,
                    discount_given_fen=row.discount_given_fen if row else 0,
                    revenue_fen=row.revenue_fen if row else 0,
                    units_taken=units,
                    budget_spent_fen=budget,
                )
            )
        return out

    return load


# --- audit ----------------------------------------------------------------------------------


async def audit_page(
    entity_type: str | None, entity_id: str | None, first: int | None, after: str | None
) -> Page[CampaignAudit]:
    query = repo.audit_entries(entity_type, (entity_id or "").strip() or None)
    return await keyset_page(query, first, after, ("-at", "-id"))
