"""Campaign validation, derived status, targets, windows and the JSON codec."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from domain.errors import DomainError
from domain.pricing import CartLine, Channel
from domain.promotions.codec import (
    campaign_from_dict,
    campaign_to_dict,
    festival_from_dict,
    festival_to_dict,
)
from domain.promotions.model import (
    Audience,
    Benefit,
    BenefitKind,
    CampaignStatus,
    Caps,
    Festival,
    Segment,
    StackingRule,
    Targets,
    shanghai_days,
    status_at,
)

from .builders import (
    FESTIVAL_END,
    FESTIVAL_START,
    K,
    campaign,
    mall,
    pack,
    plan,
    recharge,
    shanghai,
)


def test_the_517_window_is_may_15_to_21_in_shanghai():
    assert shanghai(2026, 5, 15) == FESTIVAL_START
    assert shanghai(2026, 5, 22) == FESTIVAL_END
    assert FESTIVAL_START.isoformat() == "2026-05-14T16:00:00+00:00"


def test_status_follows_the_window():
    c = campaign("c")
    before = FESTIVAL_START - timedelta(microseconds=1)
    assert status_at(c, before) is CampaignStatus.SCHEDULED
    assert status_at(c, FESTIVAL_START) is CampaignStatus.ACTIVE
    assert status_at(c, FESTIVAL_END - timedelta(microseconds=1)) is CampaignStatus.ACTIVE
    assert status_at(c, FESTIVAL_END) is CampaignStatus.ENDED


def test_draft_and_paused_are_manual():
    assert status_at(campaign("c", draft=True), FESTIVAL_START) is CampaignStatus.DRAFT
    assert status_at(campaign("c", paused=True), FESTIVAL_START) is CampaignStatus.PAUSED
    assert status_at(campaign("c", paused=True), FESTIVAL_END) is CampaignStatus.PAUSED
    assert campaign("c").active_at(FESTIVAL_START)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Benefit(BenefitKind.PERCENT_OFF), "benefit.percent_bp"),
        (lambda: Benefit.percent_off(10_001), "benefit.percent_bp"),
        (lambda: Benefit.amount_off(0), "benefit.amount_fen"),
        (lambda: Benefit(BenefitKind.AMOUNT_OFF, amount_fen=5, percent_bp=5), "benefit.percent_bp"),
        (lambda: Benefit.fixed_price(-1), "benefit"),
        (lambda: Benefit.recurring(percent_bp=5000, amount_fen=100, months=3), "benefit"),
        (lambda: Benefit.recurring(percent_bp=5000), "benefit"),
        (lambda: Benefit.recurring(percent_bp=5000, months=37), "benefit.months"),
        (lambda: Benefit.recurring(percent_bp=5000, until=datetime(2026, 7, 1)), "benefit.until"),
        (lambda: Benefit(BenefitKind.FREE_TRIAL), "benefit.until"),
        (lambda: Benefit.gift(""), "benefit.gift_item"),
        (lambda: Benefit.points_multiplier(10_000), "benefit.multiplier_bp"),
        (lambda: Targets(), "targets"),
        (lambda: Audience(min_tenure_months=-1), "audience.min_tenure_months"),
        (lambda: Caps(units_total=-1), "caps.units_total"),
        (lambda: campaign("c", ends_at=FESTIVAL_START), "ends_at"),
        (lambda: campaign("c", starts_at=datetime(2026, 5, 15)), "starts_at"),
        (lambda: campaign("c", channels=()), "channels"),
        (lambda: campaign("c", floor_fen=-1), "floor_fen"),
        (lambda: campaign("c", combines_with=("c",)), "stacking.combines_with"),
        (lambda: campaign("c", draft=True, paused=True), "paused"),
        (
            lambda: campaign("c", Benefit.free_trial(FESTIVAL_START - timedelta(days=1))),
            "benefit.until",
        ),
        (
            lambda: campaign("c", Benefit.free_trial(FESTIVAL_END + timedelta(days=37 * 31))),
            "benefit.until",
        ),
    ],
)
def test_invalid_campaigns_are_refused_with_the_field(build, field):
    with pytest.raises(DomainError) as caught:
        build()
    assert caught.value.code == "INVALID_CAMPAIGN"
    assert caught.value.problems[0].field == field


def test_festival_validation():
    with pytest.raises(DomainError):
        Festival("f", "517", FESTIVAL_END, FESTIVAL_START)
    with pytest.raises(ValueError, match="before"):
        shanghai_days(date(2026, 5, 21), date(2026, 5, 15))


def test_targets_match_ids_within_their_family():
    t = Targets(plan_ids=("x",), pack_ids=("p",), mall_item_ids=("m",))
    assert t.matches(plan("x"))
    assert not t.matches(pack("x", 100))
    assert t.matches(pack("p", 100, K.VOICE)) and t.matches(pack("p", 100, K.ADDON))
    assert not t.matches(plan("p"))
    assert t.matches(mall("m", 100)) and not t.matches(mall("p", 100))
    assert not t.matches(recharge())


def test_targets_match_by_kind():
    t = Targets(kinds=(K.RECHARGE, K.VAS))
    assert t.matches(recharge()) and t.matches(pack("any", 5, K.VAS))
    assert not t.matches(pack("any", 5, K.DATA))
    assert Targets(kinds=(K.PLAN,)).matches(plan("anything"))


def test_audience_rules():
    from domain.pricing import SubscriberProfile as P

    a = Audience(segment=Segment.EXISTING, min_tenure_months=6, plan_ids=("p",), regions=("GD",))
    assert a.admits(P("s", tenure_months=6, plan_id="p", region="GD"))
    assert not a.admits(P("s", tenure_months=5, plan_id="p", region="GD"))


FULL = campaign(
    "c",
    Benefit.recurring(amount_fen=1000, until=shanghai(2026, 9, 1)),
    Targets(plan_ids=("ice",), pack_ids=("v",), kinds=(K.RECHARGE,), mall_item_ids=("m",)),
    rule=StackingRule.STOP_AFTER,
    combines_with=("gift",),
    description="517 冰激凌",
    festival_id="517",
    channels=(Channel.APP,),
    audience=Audience(Segment.NEW, 3, ("plan-19",), ("GD", "BJ")),
    priority=7,
    caps=Caps(units_total=100_000, per_subscriber=1, budget_fen=10**9),
    floor_fen=990,
    draft=True,
)


@pytest.mark.parametrize("original", [FULL, campaign("plain")])
def test_campaigns_round_trip_through_json(original):
    text = json.dumps(campaign_to_dict(original), ensure_ascii=False)
    assert campaign_from_dict(json.loads(text)) == original


def test_json_enums_are_plain_strings_and_instants_utc():
    data = campaign_to_dict(FULL)
    assert data["stacking"]["rule"] == "STOP_AFTER" and type(data["stacking"]["rule"]) is str
    assert data["starts_at"] == "2026-05-14T16:00:00+00:00"
    assert data["targets"]["kinds"] == ["RECHARGE"]


def test_festivals_round_trip_through_json():
    f = Festival("517", "517 网购节", FESTIVAL_START, FESTIVAL_END, "May 15–21")
    assert festival_from_dict(json.loads(json.dumps(festival_to_dict(f)))) == f


def test_cart_line_kinds_from_json_are_enums():
    line = CartLine("x", K.PLAN, "x", 1, True)
    assert Targets(kinds=["PLAN"]).matches(line)
