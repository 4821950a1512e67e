"""EXCLUSIVE, STACKABLE, STOP_AFTER and combines_with, decided per cart line."""

from __future__ import annotations

import pytest

from domain.promotions.model import Benefit, StackingRule, Targets
from domain.promotions.stacking import can_follow, combine

from .builders import (
    DURING,
    K,
    applied_ids,
    campaign,
    pack,
    plan,
    price,
    reasons,
    recharge,
    shanghai,
)

EX, ST, SA = StackingRule.EXCLUSIVE, StackingRule.STACKABLE, StackingRule.STOP_AFTER


@pytest.mark.parametrize(
    ("first", "second", "allowed"),
    [
        (ST, ST, True),
        (ST, EX, False),
        (EX, ST, False),
        (EX, EX, False),
        (ST, SA, True),
        (SA, ST, False),
        (SA, SA, False),
        (EX, SA, False),
        (SA, EX, False),
    ],
)
def test_default_pair_table(first, second, allowed):
    a = campaign("a", rule=first, priority=2)
    b = campaign("b", rule=second, priority=1)
    assert can_follow(a, b) is allowed
    assert applied_ids(price([plan()], [a, b])) == (["a", "b"] if allowed else ["a"])


def test_exclusive_applies_alone_and_later_ones_are_not_combinable():
    campaigns = [
        campaign("ex", Benefit.percent_off(5000), rule=EX, priority=5),
        campaign("st", Benefit.amount_off(1000), priority=1),
    ]
    quote = price([plan("ice", 39800)], campaigns)
    assert quote.final_price_fen == 19900
    assert reasons(quote) == {"st": "NOT_COMBINABLE"}


def test_exclusive_after_a_stackable_is_not_combinable():
    campaigns = [
        campaign("st", Benefit.amount_off(1000), priority=5),
        campaign("ex", Benefit.percent_off(5000), rule=EX, priority=1),
    ]
    quote = price([plan("ice", 39800)], campaigns)
    assert quote.final_price_fen == 38800
    assert reasons(quote) == {"ex": "NOT_COMBINABLE"}


def test_stop_after_keeps_earlier_campaigns_and_stops_later_ones():
    campaigns = [
        campaign("early", Benefit.amount_off(800), priority=9),
        campaign("stop", Benefit.percent_off(5000), rule=SA, priority=5),
        campaign("late", Benefit.amount_off(1000), priority=1),
    ]
    quote = price([plan("ice", 39800)], campaigns)
    assert applied_ids(quote) == ["early", "stop"]
    assert quote.final_price_fen == 19500
    assert reasons(quote) == {"late": "NOT_COMBINABLE"}


def test_stacking_is_per_line():
    campaigns = [
        campaign("plan-ex", Benefit.percent_off(5000), rule=EX, priority=5),
        campaign("recharge", Benefit.percent_off(1000), Targets(kinds=(K.RECHARGE,))),
    ]
    quote = price([plan("ice", 39800), recharge(5000)], campaigns)
    assert applied_ids(quote) == ["plan-ex", "recharge"]


def test_a_campaign_applies_to_all_its_lines_or_none():
    campaigns = [
        campaign("ex", Benefit.percent_off(5000), Targets(pack_ids=("a",)), rule=EX, priority=5),
        campaign("all", Benefit.percent_off(1000), Targets(kinds=(K.DATA,))),
    ]
    quote = price([pack("a", 1000), pack("b", 1000)], campaigns)
    assert reasons(quote) == {"all": "NOT_COMBINABLE"}
    assert quote.final_price_fen == 1500


def test_combines_with_narrows_a_stackable_campaign():
    campaigns = [
        campaign("a", priority=3, combines_with=("b",)),
        campaign("b", Benefit.amount_off(100), priority=2),
        campaign("c", Benefit.amount_off(100), priority=1),
    ]
    quote = price([plan()], campaigns)
    assert applied_ids(quote) == ["a", "b"]
    assert reasons(quote) == {"c": "NOT_COMBINABLE"}


def test_combines_with_makes_an_exception_to_exclusive_when_both_sides_agree():
    gift = campaign("gift", Benefit.gift("cloud-1y"), priority=1)
    exclusive = campaign("half", rule=EX, priority=5, combines_with=("gift",))
    assert applied_ids(price([plan()], [exclusive, gift])) == ["half", "gift"]


def test_a_one_sided_listing_does_not_force_a_combination():
    picky = campaign("picky", Benefit.amount_off(100), priority=1, combines_with=("other",))
    exclusive = campaign("half", rule=EX, priority=5, combines_with=("picky",))
    assert reasons(price([plan()], [exclusive, picky])) == {"picky": "NOT_COMBINABLE"}
    assert not combine(exclusive, picky)


def test_stop_after_may_list_later_exceptions():
    stop = campaign("stop", rule=SA, priority=5, combines_with=("gift",))
    gift = campaign("gift", Benefit.gift("x"), priority=1)
    other = campaign("other", Benefit.gift("y"), priority=1)
    quote = price([plan()], [stop, gift, other])
    assert applied_ids(quote) == ["stop", "gift"]
    assert reasons(quote) == {"other": "NOT_COMBINABLE"}


def test_equal_priorities_apply_in_campaign_id_order():
    a = campaign("a", Benefit.fixed_price(100), rule=EX)
    b = campaign("b", Benefit.fixed_price(200), rule=EX)
    assert applied_ids(price([plan()], [b, a])) == ["a"]
    assert price([plan()], [b, a]).final_price_fen == 100


def test_a_campaign_that_starts_to_apply_takes_its_priority_place():
    """Priority is marketing's decision: a free trial whose term was over gives nothing and
    blocks nobody; pushed into the future it applies first and displaces the recurring discount
    that does not combine with it, even for months the trial does not cover."""
    recurring = campaign("r", Benefit.recurring(amount_fen=1_000, months=3), combines_with=("x",))
    ended = campaign("t", Benefit.free_trial(DURING), priority=5, starts_at=shanghai(2026, 5, 15))
    before = price([plan()], [recurring, ended], effective_from=DURING)
    assert applied_ids(before) == ["r"] and reasons(before) == {"t": "OUTSIDE_WINDOW"}
    trial = campaign("t", Benefit.free_trial(shanghai(2026, 5, 20)), priority=5)
    after = price([plan()], [recurring, trial], effective_from=DURING)
    assert applied_ids(after) == ["t"] and reasons(after) == {"r": "NOT_COMBINABLE"}
    assert [m.price_fen for m in after.schedule[:3]] == [0, 39_800, 39_800]
    assert [m.price_fen for m in before.schedule[:3]] == [38_800, 38_800, 38_800]
