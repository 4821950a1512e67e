"""Festivals and campaigns in the database: one writer keeps a campaign's JSON and its query
columns in step, every change is guarded by `version` and audited in the same transaction, and
orders record what they took from each campaign (`CampaignRedemption`, `CampaignStats`).

Instants are compared in UTC: SQLite compares them as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.functions import Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from db.models.catalog import AddOn, Pack, Plan
from db.models.promotions import (
    Campaign,
    CampaignAudit,
    CampaignRedemption,
    CampaignStats,
    CampaignStatsDelta,
    Festival,
)
from domain.calendar import as_utc
from domain.pricing import CartLine, OfferingKind, Quote
from domain.promotions import model as promo
from domain.promotions.caps import ReservationState as State
from domain.promotions.codec import (
    campaign_from_dict,
    campaign_to_dict,
    festival_to_dict,
)
from domain.promotions.lifecycle import version_conflict

FESTIVAL, CAMPAIGN = "FESTIVAL", "CAMPAIGN"


# --- conversions ----------------------------------------------------------------------------


def to_domain(row: Campaign) -> promo.Campaign:
    return campaign_from_dict(row.data)


def festival_domain(row: Festival) -> promo.Festival:
    return promo.Festival(
        id=row.id,
        name=row.name,
        description=row.description,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )


def _columns(campaign: promo.Campaign) -> dict[str, Any]:
    return {
        "festival_id": campaign.festival_id,
        "name": campaign.name,
        "starts_at": as_utc(campaign.starts_at),
        "ends_at": as_utc(campaign.ends_at),
        "draft": campaign.draft,
        "paused": campaign.paused,
        "priority": campaign.priority,
        "capped": campaign.caps.any,
        "data": campaign_to_dict(campaign),
    }


# --- audit ----------------------------------------------------------------------------------


async def audit(
    conn: BaseDBAsyncClient,
    entity_type: str,
    entity_id: str,
    action: str,
    actor: str,
    actor_id: int | None,
    at: datetime,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    await CampaignAudit.create(
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        actor=actor,
        actor_id=actor_id,
        at=as_utc(at),
        before=before,
        after=after,
        using_db=conn,
    )


def audit_entries(entity_type: str | None, entity_id: str | None) -> QuerySet[CampaignAudit]:
    query = CampaignAudit.all()
    if entity_type:
        query = query.filter(entity_type=entity_type)
    if entity_id:
        query = query.filter(entity_id=entity_id)
    return query


# --- festivals ------------------------------------------------------------------------------


async def festival_by_id(festival_id: str) -> Festival | None:
    festival_id = (festival_id or "").strip()
    if not festival_id or len(festival_id) > 40:
        return None
    return await Festival.get_or_none(id=festival_id)


async def create_festival(
    conn: BaseDBAsyncClient,
    festival: promo.Festival,
    actor: str,
    actor_id: int | None,
    at: datetime,
) -> Festival:
    row = await Festival.create(
        id=festival.id,
        name=festival.name,
        description=festival.description,
        starts_at=as_utc(festival.starts_at),
        ends_at=as_utc(festival.ends_at),
        created_by=actor,
        using_db=conn,
    )
    await audit(
        conn, FESTIVAL, festival.id, "FESTIVAL_CREATE", actor, actor_id, at, None,
        festival_to_dict(festival),
    )  # fmt: skip
    return row


def festivals() -> QuerySet[Festival]:
    return Festival.all()


# --- campaigns ------------------------------------------------------------------------------


async def campaign_by_id(
    campaign_id: str, conn: BaseDBAsyncClient | None = None
) -> Campaign | None:
    campaign_id = (campaign_id or "").strip()
    if not campaign_id or len(campaign_id) > 40:
        return None
    query = Campaign.filter(id=campaign_id)
    if conn is not None:
        query = query.using_db(conn)
    return await query.first()


async def campaigns_by_ids(ids: Iterable[str]) -> list[promo.Campaign]:
    wanted = sorted({i for i in ids if i and len(i) <= 40})
    rows = await Campaign.filter(id__in=wanted).values_list("data", flat=True) if wanted else []
    return [campaign_from_dict(data) for data in rows]  # type: ignore[arg-type]


async def create_campaign(
    conn: BaseDBAsyncClient,
    campaign: promo.Campaign,
    actor: str,
    actor_id: int | None,
    at: datetime,
) -> Campaign:
    row = await Campaign.create(
        id=campaign.id, created_by=actor, updated_by=actor, using_db=conn, **_columns(campaign)
    )
    await CampaignStats.create(campaign_id=campaign.id, using_db=conn)
    await audit(
        conn, CAMPAIGN, campaign.id, "CAMPAIGN_CREATE", actor, actor_id, at, None,
        campaign_to_dict(campaign),
    )  # fmt: skip
    return row


async def save_campaign(
    conn: BaseDBAsyncClient,
    row: Campaign,
    campaign: promo.Campaign,
    action: str,
    actor: str,
    actor_id: int | None,
    at: datetime,
    **extra: Any,
) -> Campaign:
    """Write `campaign` over `row` if nobody changed it since `row` was read (VERSION_CONFLICT
    otherwise), and audit the change."""
    changed = (
        await Campaign.filter(id=row.id, version=row.version)
        .using_db(conn)
        .update(
            version=row.version + 1,
            updated_by=actor,
            updated_at=as_utc(at),
            **_columns(campaign),
            **extra,
        )
    )
    if not changed:
        raise version_conflict()
    await audit(
        conn, CAMPAIGN, row.id, action, actor, actor_id, at, row.data, campaign_to_dict(campaign)
    )
    return await Campaign.filter(id=row.id).using_db(conn).get()


async def published_campaigns(ends_after: datetime) -> list[promo.Campaign]:
    """What customer quotes consider: published (not draft) and not over at `ends_after`."""
    rows = await Campaign.filter(draft=False, ends_at__gt=as_utc(ends_after)).values_list(
        "data", flat=True
    )
    return [campaign_from_dict(data) for data in rows]  # type: ignore[arg-type]


async def preview_campaigns(at: datetime, include_drafts: bool) -> list[promo.Campaign]:
    query = Campaign.filter(ends_at__gt=as_utc(at))
    if not include_drafts:
        query = query.filter(draft=False)
    rows = await query.values_list("data", flat=True)
    return [campaign_from_dict(data) for data in rows]  # type: ignore[arg-type]


async def overlapping(campaign: promo.Campaign) -> list[promo.Campaign]:
    """Campaigns whose window overlaps this one's, and those it names in combines_with."""
    named = list(campaign.stacking.combines_with)
    window = Q(starts_at__lt=as_utc(campaign.ends_at), ends_at__gt=as_utc(campaign.starts_at))
    condition = Q(window, Q(id__in=named), join_type="OR") if named else window
    rows = await Campaign.filter(condition).values_list("data", flat=True)
    return [campaign_from_dict(data) for data in rows if data["id"] != campaign.id]  # type: ignore[index]


def status_q(status: promo.CampaignStatus, now: datetime) -> Q:
    """The rows `status_at(campaign, now)` puts in `status`, as a query."""
    now = as_utc(now)
    s = promo.CampaignStatus
    if status is s.DRAFT:
        return Q(draft=True)
    if status is s.PAUSED:
        return Q(draft=False, paused=True)
    if status is s.SCHEDULED:
        return Q(draft=False, paused=False, starts_at__gt=now)
    if status is s.ACTIVE:
        return Q(draft=False, paused=False, starts_at__lte=now, ends_at__gt=now)
    return Q(draft=False, paused=False, ends_at__lte=now)


def campaign_query(
    now: datetime,
    statuses: Sequence[promo.CampaignStatus] = (),
    festival_id: str | None = None,
    search: str | None = None,
) -> QuerySet[Campaign]:
    query = Campaign.all()
    if statuses:
        query = query.filter(Q(*(status_q(s, now) for s in set(statuses)), join_type="OR"))
    if festival_id:
        query = query.filter(festival_id=festival_id)
    if search:
        query = query.filter(name__icontains=search)
    return query


async def stats_by_campaign(ids: Sequence[str]) -> dict[str, CampaignStats]:
    """The committed counts with the changes not yet folded in added (exact at once)."""
    wanted = list(set(ids))
    rows = await CampaignStats.filter(campaign_id__in=wanted)
    pending = await _pending(wanted)
    for row in rows:
        extra = pending.get(row.campaign_id)  # type: ignore[attr-defined]
        for f in _STAT_FIELDS if extra else ():
            setattr(row, f, getattr(row, f) + int(extra[f"s_{f}"] or 0))  # type: ignore[index]
    return {row.campaign_id: row for row in rows}  # type: ignore[attr-defined]


# --- catalog as cart lines (conflict warnings, target checks) -------------------------------


async def catalog_lines() -> list[CartLine]:
    """Every listed plan, combo pack and add-on as the cart line it would be priced as."""
    lines = [
        CartLine(p.id, OfferingKind.PLAN, p.name, p.monthly_fee_fen, True)
        for p in await Plan.filter(listed=True)
    ]
    lines += [
        CartLine(p.id, OfferingKind(p.kind.value), p.name, p.price_fen, True)
        for p in await Pack.all()
    ]
    lines += [
        CartLine(a.id, OfferingKind.ADDON, a.name, a.price_fen, False) for a in await AddOn.all()
    ]
    return lines


async def unknown_targets(targets: promo.Targets) -> tuple[list[str], list[str]]:
    """Plan ids and pack ids that name nothing in the catalog."""
    plans = set(targets.plan_ids)
    packs = set(targets.pack_ids)
    known_plans = set(await Plan.filter(id__in=list(plans)).values_list("id", flat=True))
    known_packs = set(await Pack.filter(id__in=list(packs)).values_list("id", flat=True))
    known_packs |= set(await AddOn.filter(id__in=list(packs)).values_list("id", flat=True))
    return sorted(plans - known_plans), sorted(packs - known_packs)  # type: ignore[operator]


# --- what orders take -----------------------------------------------------------------------


async def record_redemptions(
    conn: BaseDBAsyncClient,
    ref: str,
    order_id: object | None,
    subscriber_id: int,
    quote: Quote,
    reservation_id: str | None,
    state: State = State.CONFIRMED,
) -> None:
    """One redemption per campaign the quote applied; CONFIRMED ones move the stats at once
    (inside the order's transaction), HELD ones when their payment arrives (`confirm_held`)."""
    capped = set(quote.campaign_units)
    revenue = quote.final_price_fen
    for applied in quote.applied:
        await CampaignRedemption.create(
            ref=ref,
            campaign_id=applied.campaign_id,
            order_id=order_id,
            subscriber_id=subscriber_id,
            reservation_id=reservation_id if applied.campaign_id in capped else None,
            units=applied.units,
            discount_fen=applied.spend_fen,
            revenue_fen=revenue,
            state=state,
            using_db=conn,
        )
        if state == State.CONFIRMED:
            await _move_stats(
                conn, applied.campaign_id, 1, applied.units, applied.spend_fen, revenue
            )


async def confirm_held(conn: BaseDBAsyncClient, ref: str) -> list[CampaignRedemption]:
    """Paid: the HELD (or, paid late, RETURNED) redemptions of `ref` count from now on."""
    confirmed = []
    for row in await CampaignRedemption.filter(
        ref=ref, state__in=[State.HELD, State.RETURNED]
    ).using_db(conn):
        moved = (
            await CampaignRedemption.filter(id=row.id, state__in=[State.HELD, State.RETURNED])
            .using_db(conn)
            .update(state=State.CONFIRMED)
        )
        if moved:
            await _move_stats(
                conn,
                row.campaign_id,
                1,
                row.units,
                row.discount_fen,
                row.revenue_fen,  # type: ignore[attr-defined]
            )
            confirmed.append(row)
    return confirmed


async def return_held(ref: str) -> int:
    """Never paid: HELD redemptions of `ref` are RETURNED (they never counted)."""
    return await CampaignRedemption.filter(ref=ref, state=State.HELD).update(state=State.RETURNED)


async def _move_stats(
    conn: BaseDBAsyncClient, campaign_id: str, orders: int, units: int, discount: int, revenue: int
) -> None:
    """Append the change (no hot row in the order's transaction); `flush_stats` folds it."""
    await CampaignStatsDelta.create(
        campaign_id=campaign_id,
        orders_count=orders,
        units_used=units,
        discount_given_fen=discount,
        revenue_fen=revenue,
        using_db=conn,
    )


_STAT_FIELDS = ("orders_count", "units_used", "discount_given_fen", "revenue_fen")


async def _pending(ids: Sequence[str]) -> dict[str, dict]:
    query = CampaignStatsDelta.filter(campaign_id__in=list(ids))
    return {
        row["campaign_id"]: row
        for row in await query.annotate(**{f"s_{f}": Sum(f) for f in _STAT_FIELDS})
        .group_by("campaign_id")
        .values("campaign_id", *(f"s_{f}" for f in _STAT_FIELDS))
    }


async def flush_stats(limit: int = 5000) -> int:
    """Fold up to `limit` pending changes into `CampaignStats`, one UPDATE per campaign, and
    delete them, in one transaction (safe to run anywhere, any time: on PostgreSQL concurrent
    flushers skip each other's rows). Returns how many changes were folded."""
    async with in_transaction() as conn:
        rows = (
            await CampaignStatsDelta.all()
            .order_by("id")
            .limit(limit)
            .select_for_update(skip_locked=True)
            .using_db(conn)
        )
        if not rows:
            return 0
        sums: dict[str, list[int]] = {}
        for row in rows:
            acc = sums.setdefault(row.campaign_id, [0, 0, 0, 0])
            for i, f in enumerate(_STAT_FIELDS):
                acc[i] += getattr(row, f)
        for campaign_id, acc in sums.items():
            await (
                CampaignStats.filter(campaign_id=campaign_id)
                .using_db(conn)
                .update(**{f: F(f) + acc[i] for i, f in enumerate(_STAT_FIELDS)})
            )
        deleted = (
            await CampaignStatsDelta.filter(id__in=[r.id for r in rows]).using_db(conn).delete()
        )
        if deleted != len(rows):  # another flusher took some: fold nothing twice
            raise RuntimeError("campaign stats changes were folded concurrently; try again")
        return len(rows)


async def release_orders(conn: BaseDBAsyncClient, order_ids: Sequence[object]) -> list[str]:
    """Inside a transaction: the confirmed redemptions of these orders leave the stats (state
    RELEASING). Returns the cap reservations still to give back in Redis."""
    if not order_ids:
        return []
    rows = await CampaignRedemption.filter(
        order_id__in=list(order_ids), state=State.CONFIRMED
    ).using_db(conn)
    reservations: set[str] = set()
    for row in rows:
        # nothing to give back in Redis without a reservation: released at once
        moved = (
            await CampaignRedemption.filter(id=row.id, state=State.CONFIRMED)
            .using_db(conn)
            .update(state=State.RELEASING if row.reservation_id else State.RELEASED)
        )
        if not moved:
            continue
        await _move_stats(
            conn,
            row.campaign_id,
            -1,
            -row.units,
            -row.discount_fen,
            -row.revenue_fen,  # type: ignore[attr-defined]
        )
        if row.reservation_id:
            reservations.add(row.reservation_id)
    return sorted(reservations)


async def mark_released(reservation_ids: Sequence[str]) -> None:
    if reservation_ids:
        await CampaignRedemption.filter(
            reservation_id__in=list(reservation_ids), state=State.RELEASING
        ).update(state=State.RELEASED)


async def releasing_reservations(limit: int) -> list[str]:
    rows = (
        await CampaignRedemption.filter(state=State.RELEASING, reservation_id__not_isnull=True)
        .limit(limit)
        .values_list("reservation_id", flat=True)
    )
    return sorted(set(rows))  # type: ignore[arg-type]


async def confirmed_on_closed_orders(statuses: Sequence[str], limit: int) -> list[object]:
    """Orders that ended without taking effect but still hold confirmed redemptions."""
    rows = (
        await CampaignRedemption.filter(state=State.CONFIRMED, order__status__in=list(statuses))
        .limit(limit)
        .values_list("order_id", flat=True)
    )
    return sorted(set(rows), key=str)


async def committed_takes(
    campaign_ids: Iterable[str] | None = None,
) -> list[tuple[str, int, int, int]]:
    """(campaign id, subscriber id, units, discount fen) that Redis must count: CONFIRMED
    redemptions, and RELEASING ones whose counters are still to be given back (of the given
    campaigns, or of all)."""
    query = CampaignRedemption.filter(state__in=[State.CONFIRMED, State.RELEASING])
    if campaign_ids is not None:
        query = query.filter(campaign_id__in=list(campaign_ids))
    rows = (
        await query.annotate(units_sum=Sum("units"), fen_sum=Sum("discount_fen"))
        .group_by("campaign_id", "subscriber_id")
        .values("campaign_id", "subscriber_id", "units_sum", "fen_sum")
    )
    return [
        (r["campaign_id"], r["subscriber_id"], int(r["units_sum"] or 0), int(r["fen_sum"] or 0))
        for r in rows
    ]
