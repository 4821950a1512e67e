"""`me.recommendations`: a cheaper plan or combo for the usage of the last three months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.models.accounts import Subscriber
from db.models.catalog import Plan
from db.repositories import catalog, plan_changes
from db.repositories.usage_totals import monthly_usage_totals
from domain.catalog import PackKind, PlanKind
from domain.recommendation import Offering, recommend

USAGE_MONTHS = 3


@dataclass(frozen=True)
class SuggestedCombo:
    """A combo that may not exist as a plan row yet: the packs to send to bundleOrder."""

    id: str
    name: str
    monthly_fee_fen: int
    data_mb: int
    voice_minutes: int
    sms_count: int
    pack_ids: tuple[str, ...]


@dataclass(frozen=True)
class RecommendationView:
    kind: PlanKind
    plan: Plan | None
    combo: SuggestedCombo | None
    monthly_fee_fen: int
    monthly_saving_fen: int
    reason: str


def offering_of(plan: Plan) -> Offering:
    return Offering(
        id=plan.id,
        name=plan.name,
        kind=plan.kind,
        monthly_fee_fen=plan.monthly_fee_fen,
        data_mb=plan.data_mb,
        voice_minutes=plan.voice_minutes,
        sms_count=plan.sms_count,
        requires_5g=plan.requires_5g,
        data_capped_not_charged=plan.speed_cap_after_mb is not None,
        pack_ids=tuple(plan.components or ()),
    )


async def recommendations(subscriber: Subscriber, now: datetime) -> list[RecommendationView]:
    await plan_changes.apply_due_changes(now, subscriber.id)
    months = await monthly_usage_totals(subscriber.id, USAGE_MONTHS, now)
    if not months:
        return []
    fresh = await Subscriber.get(id=subscriber.id)
    current = await Plan.get_or_none(id=fresh.plan_id) if fresh.plan_id else None  # type: ignore[attr-defined]
    if current is None:
        return []
    plans = {p.id: p for p in await catalog.listed_plans()}
    packs = await catalog.all_pack_infos()
    keep_vas = [p for p in packs if p.id in (current.components or ()) and p.kind is PackKind.VAS]
    found = recommend(
        months,
        offering_of(current),
        [offering_of(p) for p in plans.values()],
        packs,
        device_5g=fresh.device_5g,
        keep_vas=keep_vas,
    )
    views = []
    for rec in found:
        o = rec.offering
        combo = (
            SuggestedCombo(
                o.id, o.name, o.monthly_fee_fen, o.data_mb, o.voice_minutes, o.sms_count, o.pack_ids
            )
            if o.kind is PlanKind.COMBO
            else None
        )
        views.append(
            RecommendationView(
                kind=o.kind,
                plan=plans.get(o.id) if o.kind is PlanKind.PLAN else None,
                combo=combo,
                monthly_fee_fen=rec.monthly_fee_fen,
                monthly_saving_fen=rec.monthly_saving_fen,
                reason=rec.reason,
            )
        )
    return views
