"""Warnings returned when marketing creates or updates a campaign."""

from __future__ import annotations

from datetime import timedelta

from domain.promotions.conflicts import targets_overlap, warnings_for
from domain.promotions.model import Benefit, Festival, StackingRule, Targets

from .builders import FESTIVAL_END, FESTIVAL_START, K, campaign, pack, plan, shanghai

EX = StackingRule.EXCLUSIVE


def codes(warnings):
    return [w.split(":")[0] for w in warnings]


def test_two_exclusive_campaigns_on_the_same_target_in_overlapping_windows():
    a = campaign("a", rule=EX, priority=2)
    b = campaign("b", rule=EX, priority=1)
    warnings = warnings_for(b, [a])
    assert codes(warnings) == ["EXCLUSIVE_OVERLAP"]
    assert "only a does and b is NOT_COMBINABLE" in warnings[0]


def test_no_warning_when_windows_only_touch():
    a = campaign("a", rule=EX)
    later = campaign("b", rule=EX, starts_at=FESTIVAL_END, ends_at=FESTIVAL_END + timedelta(days=1))
    assert warnings_for(later, [a]) == []


def test_no_warning_for_different_targets_or_mutual_exceptions():
    a = campaign("a", rule=EX)
    other = campaign("b", rule=EX, targets=Targets(plan_ids=("other",)))
    assert warnings_for(other, [a]) == []
    mutual_a = campaign("a", rule=EX, combines_with=("b",))
    mutual_b = campaign("b", rule=EX, combines_with=("a",))
    assert warnings_for(mutual_b, [mutual_a]) == []


def test_kind_targets_overlap_id_targets_through_the_catalog():
    by_kind = campaign("a", rule=EX, targets=Targets(kinds=(K.DATA,)))
    by_id = campaign("b", rule=EX, targets=Targets(pack_ids=("data-1g",)))
    assert not targets_overlap(by_kind, by_id)
    assert targets_overlap(by_kind, by_id, [pack("data-1g", 4800)])
    assert codes(warnings_for(by_id, [by_kind], [pack("data-1g", 4800)])) == ["EXCLUSIVE_OVERLAP"]
    plans = campaign("c", targets=Targets(kinds=(K.PLAN,)))
    assert targets_overlap(plans, campaign("d"))


def test_one_sided_combines_with():
    a = campaign("a", rule=EX)
    b = campaign("b", combines_with=("a",))
    assert codes(warnings_for(b, [a])) == ["ONE_SIDED_COMBINE"]


def test_unknown_campaign_in_combines_with():
    assert codes(warnings_for(campaign("a", combines_with=("ghost",)), [])) == ["UNKNOWN_CAMPAIGN"]


def test_fixed_price_below_the_floor():
    c = campaign("c", Benefit.fixed_price(500), floor_fen=990)
    assert codes(warnings_for(c, [])) == ["BELOW_FLOOR"]


def test_percent_below_the_floor_needs_the_catalog():
    c = campaign("c", Benefit.percent_off(5000), floor_fen=29900)
    assert warnings_for(c, []) == []
    warnings = warnings_for(c, [], catalog=[plan("ice", 39800), plan("other", 99900)])
    assert codes(warnings) == ["BELOW_FLOOR"]
    assert "¥199.00" in warnings[0] and "¥299.00" in warnings[0]


def test_a_benefit_that_ends_before_the_campaign():
    c = campaign("c", Benefit.free_trial(shanghai(2026, 5, 18)))
    assert codes(warnings_for(c, [])) == ["TERM_ENDS_EARLY"]


def test_a_campaign_outside_its_festival():
    festival = Festival("517", "517 网购节", FESTIVAL_START, FESTIVAL_END - timedelta(days=1))
    assert codes(warnings_for(campaign("c"), [], festival=festival)) == ["OUTSIDE_FESTIVAL"]


def test_updating_a_campaign_does_not_conflict_with_its_old_self():
    a = campaign("a", rule=EX)
    assert warnings_for(a, [a]) == []
