"""Marketing use cases: festivals, campaigns and their lifecycle, the audit log, the campaign list
customers and marketers see, and `promotionPreview` (the customer quote as a dry run).

Lifecycle (status is derived by `domain.promotions.model.status_at`, never stored):

    create ──draft──▶ DRAFT ──update(draft: false)──▶ SCHEDULED ──starts──▶ ACTIVE ──ends──▶ ENDED
           └─published──────────────────────────────▲        pause ⇅ resume          ▲
                                                      PAUSED ─────────end─────────────┘

- `campaignUpdate` only while DRAFT or SCHEDULED: a running campaign's terms are a promise to the
  customers who saw them; pause or end it instead.
- A published window never starts in the past: a campaign published with `startsAt` before now
  starts now (warning STARTS_NOW), so no quote made earlier is contradicted by the record.
- `campaignEnd` stops new orders at once: `endsAt` becomes now (never earlier, so orders placed
  inside the confirmed window stay inside it, and never later). Orders already placed keep their
  benefit, including later months of a recurring discount (the order's pricing snapshot). A
  campaign ended before it started keeps a 1 µs window ending now, so it never applies; its
  planned dates stay in the audit log. A paused campaign can be ended too.
- Every change is guarded by `version` (VERSION_CONFLICT), audited in its own transaction and
  then bumps the Redis version counter, so every worker reloads its campaign index.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from tortoise.transactions import in_transaction

from db.models.promotions import Campaign as CampaignRow
from db.models.promotions import CampaignAudit, CampaignStats
from db.models.promotions import Festival as FestivalRow
from db.repositories import promotions as repo
from domain.bundles import BundleSelection, bundle_cart
from domain.calendar import as_utc
from domain.catalog import change_effective_from
from domain.errors import DomainError, Problem, fail
from domain.pricing import Cart, Channel, Quote, SubscriberProfile
from domain.promotions import model as promo
from domain.promotions.conflicts import warnings_for
from domain.promotions.engine import CampaignIndex
from domain.promotions.horizon import check_preview_instant, considered_from
from domain.promotions.summary import benefit_summary
from domain.sessions import Session
from resolvers import promotion_index
from resolvers.context import RequestContext
from resolvers.loaders import by_id, loader
from resolvers.ordering.offerings import (
    add_on_cart,
    add_on_for_purchase,
    combo_of,
    plan_cart,
    plan_for_change,
)
from resolvers.pagination import Page, keyset_page
from resolvers.pricing import price_with, recharge_cart

Status = promo.CampaignStatus
EDITABLE = (Status.DRAFT, Status.SCHEDULED)
MAX_IDS = 200
MAX_NAME = 128
MAX_DESCRIPTION = 2000
PRIORITY_RANGE = range(-10_000, 10_001)
_US = timedelta(microseconds=1)

T = TypeVar("T")


@dataclass(frozen=True)
class CampaignView:
    """A campaign as the API shows it: the domain campaign, its status now and its record."""

    campaign: promo.Campaign
    status: promo.CampaignStatus
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    updated_by: str
    ended_early_at: datetime | None

    @property
    def benefit_summary(self) -> str:
        return benefit_summary(self.campaign.benefit)


@dataclass(frozen=True)
class CampaignResult:
    campaign: CampaignView
    warnings: list[str]


@dataclass(frozen=True)
class FestivalView:
    festival: promo.Festival
    status: promo.CampaignStatus  # SCHEDULED, ACTIVE or ENDED
    created_at: datetime


def view_of(row: CampaignRow, now: datetime) -> CampaignView:
    campaign = repo.to_domain(row)
    return CampaignView(
        campaign=campaign,
        status=promo.status_at(campaign, now),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        ended_early_at=row.ended_early_at,
    )


def festival_view(row: FestivalRow, now: datetime) -> FestivalView:
    festival = repo.festival_domain(row)
    t = as_utc(now)
    status = (
        Status.SCHEDULED
        if t < festival.starts_at
        else Status.ENDED
        if t >= festival.ends_at
        else Status.ACTIVE
    )
    return FestivalView(festival=festival, status=status, created_at=row.created_at)


def _map_page(page: Page[Any], convert: Any) -> Page[Any]:
    return Page(
        [(cursor, convert(node)) for cursor, node in page.edges],
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )


async def _changed(ctx: RequestContext) -> None:
    """After a committed change: every worker reloads its campaign index on its next quote."""
    await ctx.stores.campaign_caps.bump_version()
    promotion_index.forget(ctx.services)


def _actor(session: Session) -> tuple[str, int | None]:
    return session.name, session.subject_id


# --- festivals ------------------------------------------------------------------------------


async def festival_create(
    ctx: RequestContext,
    session: Session,
    name: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
) -> FestivalView:
    now = ctx.now()
    name = _text(name, "name", MAX_NAME, required=True)
    description = _text(description, "description", MAX_DESCRIPTION)
    festival = promo.Festival(
        id=f"fest-{secrets.token_hex(5)}",
        name=name,
        description=description,
        starts_at=_aware(starts_at, "startsAt"),
        ends_at=_aware(ends_at, "endsAt"),
    )
    actor, actor_id = _actor(session)
    async with in_transaction() as conn:
        row = await repo.create_festival(conn, festival, actor, actor_id, now)
    await _changed(ctx)
    return festival_view(row, now)


async def festivals_page(first: int | None, after: str | None, now: datetime) -> Page[FestivalView]:
    page = await keyset_page(repo.festivals(), first, after, ("-starts_at", "-id"))
    return _map_page(page, lambda row: festival_view(row, now))


async def festival_by_id(ctx: RequestContext, festival_id: str) -> FestivalView | None:
    found = await loader(ctx, "festival", lambda: by_id(FestivalRow)).load(festival_id)
    return festival_view(found, ctx.now()) if found is not None else None


# --- campaigns ------------------------------------------------------------------------------


def _text(value: str | None, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise fail("INVALID_CAMPAIGN", "Give it a name.", field)
    if len(value) > limit:
        raise fail("INVALID_CAMPAIGN", f"At most {limit} characters.", field)
    return value


def _aware(value: datetime, field: str, code: str = "INVALID_CAMPAIGN") -> datetime:
    if value.tzinfo is None:
        raise fail(code, "Give an instant with its offset, e.g. +08:00.", field)
    return as_utc(value)


def _check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Input checks the domain does not make: lengths, list sizes, priority range, offsets."""
    out = dict(fields)
    if "name" in out:
        out["name"] = _text(out["name"], "name", MAX_NAME, required=True)
    if "description" in out:
        out["description"] = _text(out["description"], "description", MAX_DESCRIPTION)
    for name, field in (("starts_at", "startsAt"), ("ends_at", "endsAt")):
        if name in out:
            out[name] = _aware(out[name], field)
    if "priority" in out and out["priority"] not in PRIORITY_RANGE:
        raise fail("INVALID_CAMPAIGN", "Priority is -10000 to 10000.", "priority")
    targets: promo.Targets | None = out.get("targets")
    audience: promo.Audience | None = out.get("audience")
    stacking: promo.Stacking | None = out.get("stacking")
    sizes = [
        (targets.plan_ids if targets else (), "targets.planIds"),
        (targets.pack_ids if targets else (), "targets.packIds"),
        (targets.mall_item_ids if targets else (), "targets.mallItemIds"),
        (audience.plan_ids if audience else (), "audience.planIds"),
        (audience.regions if audience else (), "audience.regions"),
        (stacking.combines_with if stacking else out.get("combines_with", ()), "combinesWith"),
    ]
    for ids, field in sizes:
        if len(ids) > MAX_IDS or any(not i or len(i) > 64 for i in ids):
            raise fail("INVALID_CAMPAIGN", f"At most {MAX_IDS} ids of 1 to 64 characters.", field)
    benefit: promo.Benefit | None = out.get("benefit")
    if benefit is not None and benefit.until is not None:
        _aware(benefit.until, "benefit.until")
    return out


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


def _starts_no_earlier_than_now(
    campaign: promo.Campaign, now: datetime, warnings: list[str]
) -> promo.Campaign:
    if campaign.ends_at <= as_utc(now):
        raise fail("INVALID_CAMPAIGN", "The window is already over.", "endsAt")
    if campaign.draft or campaign.starts_at >= as_utc(now):
        return campaign
    warnings.append(
        f"STARTS_NOW: startsAt {campaign.starts_at.isoformat()} is in the past; "
        "a published campaign starts when it is published"
    )
    return dataclasses.replace(campaign, starts_at=as_utc(now))


async def _warnings(campaign: promo.Campaign, festival: promo.Festival | None) -> list[str]:
    others = await repo.overlapping(campaign)
    return warnings_for(campaign, others, await repo.catalog_lines(), festival)


async def campaign_create(
    ctx: RequestContext, session: Session, fields: dict[str, Any]
) -> CampaignResult:
    """`fields` are domain `Campaign` fields (`Audience`, `Targets`, `Benefit`, ... built by the
    schema from its input); `draft` defaults to False (published)."""
    now = ctx.now()
    fields = _check_fields(fields)
    campaign = promo.Campaign(id=f"cmp-{secrets.token_hex(6)}", **fields)
    warnings: list[str] = []
    campaign = _starts_no_earlier_than_now(campaign, now, warnings)
    festival = await _check_references(campaign)
    warnings += await _warnings(campaign, festival)
    actor, actor_id = _actor(session)
    async with in_transaction() as conn:
        row = await repo.create_campaign(conn, campaign, actor, actor_id, now)
    await _changed(ctx)
    return CampaignResult(view_of(row, now), warnings)


async def _load(campaign_id: str, version: int | None = None) -> CampaignRow:
    row = await repo.campaign_by_id(campaign_id)
    if row is None:
        raise fail("NOT_FOUND", "There is no such campaign.", "id")
    if version is not None and version != row.version:
        raise fail(
            "VERSION_CONFLICT",
            f"The campaign is at version {row.version}, not {version}: someone changed it since "
            "you loaded it. Reload and try again.",
            "version",
        )
    return row


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
    status = promo.status_at(current, now)
    if status not in EDITABLE:
        raise fail(
            "CAMPAIGN_NOT_EDITABLE",
            f"The campaign is {status.value}: only DRAFT and SCHEDULED campaigns can be edited. "
            "Pause or end it instead.",
            "id",
        )
    changes = _check_fields(changes)
    rule = changes.pop("stacking_rule", current.stacking.rule)
    combines = changes.pop("combines_with", current.stacking.combines_with)
    changes["stacking"] = promo.Stacking(rule, tuple(combines))
    campaign = dataclasses.replace(current, **changes)
    warnings: list[str] = []
    campaign = _starts_no_earlier_than_now(campaign, now, warnings)
    festival = await _check_references(campaign)
    warnings += await _warnings(campaign, festival)
    return CampaignResult(
        await _save(ctx, session, row, campaign, "CAMPAIGN_UPDATE", now), warnings
    )


async def _save(
    ctx: RequestContext,
    session: Session,
    row: CampaignRow,
    campaign: promo.Campaign,
    action: str,
    now: datetime,
    **extra: Any,
) -> CampaignView:
    actor, actor_id = _actor(session)
    async with in_transaction() as conn:
        saved = await repo.save_campaign(conn, row, campaign, action, actor, actor_id, now, **extra)
    await _changed(ctx)
    return view_of(saved, now)


def _transition_error(status: promo.CampaignStatus, doing: str) -> DomainError:
    return fail("INVALID_TRANSITION", f"A {status.value} campaign cannot be {doing}.", "id")


async def campaign_pause(ctx: RequestContext, session: Session, campaign_id: str) -> CampaignView:
    now = ctx.now()
    row = await _load(campaign_id)
    current = repo.to_domain(row)
    status = promo.status_at(current, now)
    if status not in (Status.SCHEDULED, Status.ACTIVE):
        raise _transition_error(status, "paused")
    paused = dataclasses.replace(current, paused=True)
    return await _save(ctx, session, row, paused, "CAMPAIGN_PAUSE", now)


async def campaign_resume(ctx: RequestContext, session: Session, campaign_id: str) -> CampaignView:
    now = ctx.now()
    row = await _load(campaign_id)
    current = repo.to_domain(row)
    status = promo.status_at(current, now)
    if status is not Status.PAUSED:
        raise _transition_error(status, "resumed")
    resumed = dataclasses.replace(current, paused=False)
    return await _save(ctx, session, row, resumed, "CAMPAIGN_RESUME", now)


async def campaign_end(ctx: RequestContext, session: Session, campaign_id: str) -> CampaignView:
    now = as_utc(ctx.now())
    row = await _load(campaign_id)
    current = repo.to_domain(row)
    status = promo.status_at(current, now)
    if status in (Status.DRAFT, Status.ENDED):
        raise _transition_error(status, "ended")
    if current.ends_at <= now:  # paused past its window: it is simply over
        ended = dataclasses.replace(current, paused=False)
    elif current.starts_at > now:  # never started: it never will
        ended = dataclasses.replace(current, paused=False, starts_at=now - _US, ends_at=now)
    else:
        ended = dataclasses.replace(current, paused=False, ends_at=now)
    return await _save(ctx, session, row, ended, "CAMPAIGN_END", now, ended_early_at=now)


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
    return _map_page(page, lambda row: view_of(row, now))


# --- stats (per request, batched) -----------------------------------------------------------


@dataclass(frozen=True)
class CampaignStatsView:
    orders_count: int
    units_used: int
    discount_given_fen: int
    revenue_fen: int
    units_taken: int  # held + confirmed in Redis right now
    budget_spent_fen: int


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


# --- preview --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewTarget:
    bundle: BundleSelection | None = None
    plan_id: str | None = None
    pack_id: str | None = None
    recharge_amount_fen: int | None = None


async def _preview_cart(target: PreviewTarget, at: datetime) -> tuple[Cart, datetime]:
    given = [
        name
        for name in ("bundle", "plan_id", "pack_id", "recharge_amount_fen")
        if getattr(target, name) is not None
    ]
    if len(given) != 1:
        raise fail(
            "INVALID_ARGUMENT",
            "Give exactly one of bundle, planId, packId and rechargeAmountFen.",
            "input",
        )
    if target.bundle is not None:
        return bundle_cart(await combo_of(target.bundle)), change_effective_from(at)
    if target.plan_id is not None:
        return plan_cart(await plan_for_change(target.plan_id, None)), change_effective_from(at)
    if target.pack_id is not None:
        return add_on_cart(await add_on_for_purchase(target.pack_id)), at
    assert target.recharge_amount_fen is not None
    return recharge_cart(target.recharge_amount_fen), at


async def preview(
    ctx: RequestContext,
    at: datetime,
    channel: Channel,
    profile: SubscriberProfile,
    target: PreviewTarget,
    include_drafts: bool = False,
) -> Quote:
    """The quote a customer with `profile` would get on `channel` at instant `at`, against the
    campaigns as they are configured now (drafts too, as if published, when asked), with the cap
    usage as it stands now. Nothing is reserved or written."""
    at = check_preview_instant(_aware(at, "at", "INVALID_ARGUMENT"), ctx.now())
    if profile.tenure_months < 0:
        raise fail("INVALID_ARGUMENT", "Tenure is never negative.", "profile.tenureMonths")
    cart, effective_from = await _preview_cart(target, at)
    campaigns = await repo.preview_campaigns(considered_from(ctx.now(), at), include_drafts)
    if include_drafts:
        campaigns = [dataclasses.replace(c, draft=False) if c.draft else c for c in campaigns]
    return await price_with(
        ctx, cart, effective_from, channel, profile, at, CampaignIndex(campaigns)
    )
