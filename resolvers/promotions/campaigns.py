"""Create, update, pause, resume and end a campaign: load it, let `domain.promotions.lifecycle`
decide the next state, write it version-guarded and audited, tell every worker."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from db.models.promotions import Campaign as CampaignRow
from db.repositories import promotions as repo
from domain.calendar import as_utc
from domain.errors import DomainError, Problem, fail
from domain.promotions import lifecycle
from domain.promotions import model as promo
from domain.promotions.conflicts import warnings_for
from domain.sessions import Session
from resolvers.context import RequestContext
from resolvers.promotions.changes import actor_of, changed
from resolvers.promotions.checks import check_fields
from resolvers.promotions.views import CampaignView, view_of


@dataclass(frozen=True)
class CampaignResult:
    campaign: CampaignView
    warnings: list[str]


async def campaign_create(
    ctx: RequestContext, session: Session, fields: dict[str, Any]
) -> CampaignResult:
    """`fields` are domain `Campaign` fields (`Audience`, `Targets`, `Benefit`, ... built by the
    schema from its input); `draft` defaults to False (published)."""
    now = ctx.now()
    fields = check_fields(fields)
    campaign = promo.Campaign(id=f"cmp-{secrets.token_hex(6)}", **fields)
    campaign, warnings = lifecycle.published(campaign, now)
    warnings += await _warnings(campaign)
    actor, actor_id = actor_of(session)
    async with in_transaction() as conn:
        row = await repo.create_campaign(conn, campaign, actor, actor_id, now)
    await changed(ctx)
    return CampaignResult(view_of(row, now), warnings)


async def campaign_update(
    ctx: RequestContext,
    session: Session,
    campaign_id: str,
    changes: dict[str, Any],
    version: int | None = None,
) -> CampaignResult:
    now = ctx.now()
    row = await _load(campaign_id, version)
    current = repo.to_domain(row)
    lifecycle.check_editable(current, now)  # before the input checks: the status answers first
    campaign, warnings = lifecycle.edited(current, check_fields(changes), now)
    warnings += await _warnings(campaign)
    saved = await _save(ctx, session, row, campaign, "CAMPAIGN_UPDATE", now)
    return CampaignResult(saved, warnings)


async def campaign_pause(ctx: RequestContext, session: Session, campaign_id: str) -> CampaignView:
    return await _transition(ctx, session, campaign_id, lifecycle.paused, "CAMPAIGN_PAUSE")


async def campaign_resume(ctx: RequestContext, session: Session, campaign_id: str) -> CampaignView:
    return await _transition(ctx, session, campaign_id, lifecycle.resumed, "CAMPAIGN_RESUME")


async def campaign_end(ctx: RequestContext, session: Session, campaign_id: str) -> CampaignView:
    return await _transition(
        ctx, session, campaign_id, lifecycle.ended, "CAMPAIGN_END", ended_early=True
    )


async def _transition(
    ctx: RequestContext,
    session: Session,
    campaign_id: str,
    decide: Callable[[promo.Campaign, datetime], promo.Campaign],
    action: str,
    ended_early: bool = False,
) -> CampaignView:
    now = as_utc(ctx.now())
    row = await _load(campaign_id)
    extra = {"ended_early_at": now} if ended_early else {}
    return await _save(ctx, session, row, decide(repo.to_domain(row), now), action, now, **extra)


async def _load(campaign_id: str, version: int | None = None) -> CampaignRow:
    row = await repo.campaign_by_id(campaign_id)
    if row is None:
        raise fail("NOT_FOUND", "There is no such campaign.", "id")
    lifecycle.check_version(row.version, version)
    return row


async def _save(
    ctx: RequestContext,
    session: Session,
    row: CampaignRow,
    campaign: promo.Campaign,
    action: str,
    now: datetime,
    **extra: Any,
) -> CampaignView:
    actor, actor_id = actor_of(session)
    async with in_transaction() as conn:
        saved = await repo.save_campaign(conn, row, campaign, action, actor, actor_id, now, **extra)
    await changed(ctx)
    return view_of(saved, now)


async def _warnings(campaign: promo.Campaign) -> list[str]:
    """The references checked (unknown plans, packs, festival) and the conflicts it will have."""
    festival = await _check_references(campaign)
    others = await repo.overlapping(campaign)
    return warnings_for(campaign, others, await repo.catalog_lines(), festival)


async def _check_references(campaign: promo.Campaign) -> promo.Festival | None:
    problems: list[Problem] = []
    plans, packs = await repo.unknown_targets(campaign.targets)
    if plans:
        problems.append(
            Problem("INVALID_CAMPAIGN", f"No such plan: {', '.join(plans)}.", "targets.planIds")
        )
    if packs:
        problems.append(
            Problem("INVALID_CAMPAIGN", f"No such pack: {', '.join(packs)}.", "targets.packIds")
        )
    festival = None
    if campaign.festival_id is not None:
        row = await repo.festival_by_id(campaign.festival_id)
        if row is None:
            problems.append(Problem("NOT_FOUND", "There is no such festival.", "festivalId"))
        else:
            festival = repo.festival_domain(row)
    if problems:
        raise DomainError(*problems)
    return festival
