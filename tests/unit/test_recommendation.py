"""Recommendations: the cheapest option covering the median usage, never dearer than staying."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from db.seed.catalog import ICE_CREAM, PACKS, PLANS_4G, PLANS_5G
from domain.bundles import BundleSelection, compose
from domain.catalog import PackInfo, PackKind, PlanKind
from domain.recommendation import MonthlyUsage, Offering, median_need, recommend

PACK_INFOS = [
    PackInfo(pid, kind, name, amount, price) for pid, kind, name, amount, price, _ in PACKS
]
CATALOG = {p.id: p for p in PACK_INFOS}


def _plan(row, requires_5g=False, capped=False) -> Offering:
    plan_id, name, fee, voice, data, sms = row[:6]
    return Offering(plan_id, name, PlanKind.PLAN, fee, data, voice, sms, requires_5g, capped)


PLANS = (
    [_plan(r) for r in PLANS_4G]
    + [_plan(ICE_CREAM, capped=True)]
    + [_plan(r, requires_5g=True) for r in PLANS_5G]
)


def _combo_offering(data, voice=None, sms=None, vas=()) -> Offering:
    combo = compose(BundleSelection(data, voice, sms, tuple(vas)), CATALOG)
    return Offering(
        combo.id,
        combo.name,
        PlanKind.COMBO,
        combo.monthly_fee_fen,
        combo.amount_of(PackKind.DATA),
        combo.amount_of(PackKind.VOICE),
        combo.amount_of(PackKind.SMS),
        pack_ids=combo.pack_ids,
    )


MONTHS = st.builds(
    MonthlyUsage,
    month=st.just("2026-10"),
    data_mb=st.integers(0, 60_000),
    voice_minutes=st.integers(0, 4_000),
    sms_count=st.integers(0, 800),
)
IDS = {kind: [p.id for p in PACK_INFOS if p.kind is kind] for kind in PackKind}
COMBOS = st.builds(
    _combo_offering,
    st.sampled_from(IDS[PackKind.DATA]),
    st.none() | st.sampled_from(IDS[PackKind.VOICE]),
    st.none() | st.sampled_from(IDS[PackKind.SMS]),
    st.lists(st.sampled_from(IDS[PackKind.VAS]), unique=True, max_size=2),
)


@settings(max_examples=300)
@given(st.lists(MONTHS, min_size=1, max_size=3), st.sampled_from(PLANS) | COMBOS, st.booleans())
def test_a_recommendation_never_costs_more_than_the_current_plan_at_the_same_usage(
    months, current, device_5g
):
    need = median_need(months)
    found = recommend(months, current, PLANS, PACK_INFOS, device_5g=device_5g)
    assert len(found) <= 2
    for rec in found:
        assert rec.offering.id != current.id
        assert rec.offering.cost_at(need) < current.cost_at(need)
        assert rec.monthly_saving_fen == current.cost_at(need) - rec.offering.cost_at(need) > 0
        assert rec.monthly_fee_fen == rec.offering.monthly_fee_fen
        assert device_5g or not rec.offering.requires_5g
        assert rec.reason
    plans = [r for r in found if r.offering.kind is PlanKind.PLAN]
    covering = [
        p
        for p in PLANS
        if p.covers(need) and p.id != current.id and (device_5g or not p.requires_5g)
    ]
    if plans and covering:
        # The cheapest option that covers the need, not merely a cheaper one.
        assert plans[0].offering.covers(need)
        assert plans[0].offering.monthly_fee_fen == min(p.monthly_fee_fen for p in covering)


def test_no_usage_no_recommendation():
    assert recommend([], PLANS[3], PLANS, PACK_INFOS, device_5g=True) == []


def test_the_median_ignores_one_unusual_month():
    months = [
        MonthlyUsage("2026-08", 300, 150, 10),
        MonthlyUsage("2026-09", 9_000, 160, 12),  # a holiday month
        MonthlyUsage("2026-10", 350, 140, 8),
    ]
    assert median_need(months) == MonthlyUsage("median", 350, 150, 10)
    found = recommend(months, PLANS[4], PLANS, PACK_INFOS, device_5g=False)  # on 4G-196
    kinds = {r.offering.kind: r for r in found}
    assert kinds[PlanKind.PLAN].offering.id == "4G-76"  # 400MB / 200 min covers 350MB / 150 min
    combo = kinds[PlanKind.COMBO].offering
    assert combo.pack_ids == ("DATA-500M", "VOICE-200", "SMS-200")
    assert combo.monthly_fee_fen == 2400 + 3200 + 1000


def test_a_heavy_user_past_every_4g_plan_may_be_pointed_at_the_unlimited_plan():
    months = [MonthlyUsage(m, 30_000, 100, 0) for m in ("2026-08", "2026-09", "2026-10")]
    found = recommend(months, PLANS[7], PLANS, PACK_INFOS, device_5g=False)  # 4G-596, 11GB
    plan = next(r for r in found if r.offering.kind is PlanKind.PLAN)
    assert plan.offering.id == "ICE-398"


def test_a_combo_keeps_the_value_added_packs_of_the_current_combo():
    current = _combo_offering("DATA-11G", "VOICE-3000", None, ["VAS-CLOUD"])
    months = [MonthlyUsage("2026-10", 900, 100, 0)]
    found = recommend(
        months, current, PLANS, PACK_INFOS, device_5g=False, keep_vas=[CATALOG["VAS-CLOUD"]]
    )
    combo = next(r for r in found if r.offering.kind is PlanKind.COMBO)
    # Covering the 100 minutes takes the smallest voice pack (it covers; no pack would not).
    assert combo.offering.pack_ids == ("DATA-1G", "VOICE-200", "VAS-CLOUD")


def test_nothing_to_recommend_when_the_current_plan_is_already_the_cheapest():
    months = [MonthlyUsage("2026-10", 0, 0, 0)]
    cheapest = _combo_offering("DATA-100M")
    assert recommend(months, cheapest, PLANS, PACK_INFOS, device_5g=True) == []
