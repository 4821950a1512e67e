"""Each rejection reason, and which one a campaign gets when several fail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.pricing import Channel, SubscriberProfile
from domain.promotions.caps import CampaignUsage
from domain.promotions.model import Audience, Benefit, Caps, Segment, StackingRule, Targets

from .builders import (
    FESTIVAL_END,
    FESTIVAL_START,
    K,
    applied_ids,
    campaign,
    months,
    plan,
    price,
    reasons,
    recharge,
    shanghai,
)

ONE_MICRO = timedelta(microseconds=1)


def test_paused():
    assert reasons(price([plan()], [campaign("c", paused=True)])) == {"c": "PAUSED"}


@pytest.mark.parametrize(
    "at", [FESTIVAL_START - ONE_MICRO, FESTIVAL_END, FESTIVAL_END + timedelta(days=3)]
)
def test_outside_window(at):
    assert reasons(price([plan()], [campaign("c")], at=at)) == {"c": "OUTSIDE_WINDOW"}


def test_window_is_half_open():
    assert applied_ids(price([plan()], [campaign("c")], at=FESTIVAL_START)) == ["c"]
    assert applied_ids(price([plan()], [campaign("c")], at=FESTIVAL_END - ONE_MICRO)) == ["c"]


def test_a_draft_is_outside_its_window():
    assert reasons(price([plan()], [campaign("c", draft=True)])) == {"c": "OUTSIDE_WINDOW"}


def test_a_term_already_over_when_the_plan_starts_is_outside_the_window():
    trial = campaign("c", Benefit.free_trial(shanghai(2026, 5, 20)))
    june = shanghai(2026, 6, 1)
    assert reasons(price([plan()], [trial], effective_from=june)) == {"c": "OUTSIDE_WINDOW"}


def test_channel():
    c = campaign("c", channels=(Channel.APP,))
    assert reasons(price([plan()], [c], channel=Channel.WEB)) == {"c": "CHANNEL"}


@pytest.mark.parametrize(
    ("audience", "profile"),
    [
        (Audience(segment=Segment.NEW), SubscriberProfile("s", new_subscriber=False)),
        (Audience(segment=Segment.EXISTING), SubscriberProfile("s", new_subscriber=True)),
        (Audience(min_tenure_months=12), SubscriberProfile("s", tenure_months=11)),
        (Audience(plan_ids=("plan-58",)), SubscriberProfile("s", plan_id="plan-19")),
        (Audience(regions=("GD",)), SubscriberProfile("s", region="BJ")),
        (Audience(regions=("GD",)), SubscriberProfile()),
    ],
)
def test_audience(audience, profile):
    quote = price([plan()], [campaign("c", audience=audience)], profile=profile)
    assert reasons(quote) == {"c": "AUDIENCE"}


def test_anonymous_callers_price_as_existing_customers():
    c = campaign("c", audience=Audience(segment=Segment.EXISTING))
    assert applied_ids(price([plan()], [c], profile=SubscriberProfile())) == ["c"]


@pytest.mark.parametrize(
    ("caps", "used"),
    [
        (Caps(units_total=100_000), CampaignUsage(units_taken=100_000)),
        (Caps(units_total=0), None),
        (Caps(per_subscriber=1), CampaignUsage(subscriber_units=1)),
        (Caps(budget_fen=1_000_000), CampaignUsage(budget_spent_fen=1_000_000)),
        (Caps(budget_fen=1_000_000), CampaignUsage(budget_spent_fen=1_000_000 - 19_899)),
    ],
)
def test_cap_reached(caps, used):
    quote = price(
        [plan("ice", 39800)], [campaign("c", caps=caps)], usage={"c": used} if used else None
    )
    assert reasons(quote) == {"c": "CAP_REACHED"}
    assert quote.final_price_fen == 39800


def test_budget_never_gives_a_partial_discount_but_the_last_fen_can_be_spent():
    used = {"c": CampaignUsage(budget_spent_fen=1_000_000 - 19_900)}
    quote = price(
        [plan("ice", 39800)], [campaign("c", caps=Caps(budget_fen=1_000_000))], usage=used
    )
    assert quote.final_price_fen == 19900


def test_budget_counts_a_recurring_term_in_full():
    c = campaign(
        "c", Benefit.recurring(percent_bp=5000, months=3), caps=Caps(budget_fen=3 * 19900 - 1)
    )
    assert reasons(price([plan("ice", 39800)], [c])) == {"c": "CAP_REACHED"}


def test_units_count_the_lines_a_campaign_applies_to():
    c = campaign("c", targets=Targets(kinds=(K.RECHARGE,)), caps=Caps(per_subscriber=1))
    two = [recharge(5000), recharge(10000)]
    assert reasons(price(two, [c])) == {"c": "CAP_REACHED"}
    assert applied_ids(price(two[:1], [c])) == ["c"]


def test_capped_campaigns_are_listed_for_the_order_to_take():
    capped = campaign("capped", caps=Caps(units_total=10), priority=1)
    free = campaign("free", Benefit.gift("x"))
    quote = price([plan()], [capped, free])
    assert quote.campaign_units == ("capped",)
    assert {a.campaign_id: a.units for a in quote.applied} == {"capped": 1, "free": 1}


def test_not_combinable():
    first = campaign("a", rule=StackingRule.EXCLUSIVE, priority=2)
    second = campaign("b", priority=1)
    assert reasons(price([plan()], [first, second])) == {"b": "NOT_COMBINABLE"}


def test_below_floor_when_an_earlier_discount_already_reached_it():
    first = campaign("a", Benefit.fixed_price(9900), priority=2)
    second = campaign("b", Benefit.percent_off(1000), priority=1, floor_fen=9900)
    quote = price([plan("ice", 39800)], [first, second])
    assert reasons(quote) == {"b": "BELOW_FLOOR"}
    assert quote.final_price_fen == 9900


def test_a_free_line_leaves_nothing_for_later_discounts():
    first = campaign("a", Benefit.percent_off(10_000), priority=2)
    second = campaign("b", Benefit.amount_off(100), priority=1)
    assert reasons(price([plan()], [first, second])) == {"b": "BELOW_FLOOR"}


def test_campaigns_that_do_not_target_the_cart_are_not_mentioned():
    other = campaign("other", targets=Targets(plan_ids=("not-in-cart",)), paused=True)
    quote = price([plan("ice")], [other])
    assert quote.rejected == () and quote.applied == ()


# The first failing reason wins, in the order PAUSED, OUTSIDE_WINDOW, CHANNEL, AUDIENCE,
# CAP_REACHED, NOT_COMBINABLE, BELOW_FLOOR: each case fails the named reason and every later one.
EXCLUSIVE_FIRST = campaign("a0", rule=StackingRule.EXCLUSIVE, priority=9, floor_fen=0)
ALL_LATER = {
    "channels": (Channel.WEB,),
    "audience": Audience(segment=Segment.NEW),
    "caps": Caps(units_total=0),
    "floor_fen": 39800,
}


@pytest.mark.parametrize(
    ("expected", "extra", "at"),
    [
        ("PAUSED", {"paused": True}, FESTIVAL_END),
        ("OUTSIDE_WINDOW", {}, FESTIVAL_END),
        ("CHANNEL", {}, None),
        ("AUDIENCE", {"channels": (Channel.APP,)}, None),
        ("CAP_REACHED", {"channels": (Channel.APP,), "audience": Audience()}, None),
        (
            "NOT_COMBINABLE",
            {"channels": (Channel.APP,), "audience": Audience(), "caps": Caps()},
            None,
        ),
    ],
)
def test_first_failing_reason_wins(expected, extra, at):
    c = campaign("b", priority=1, **(ALL_LATER | extra))
    quote = price([plan("ice", 39800)], [EXCLUSIVE_FIRST, c], at=at or FESTIVAL_START)
    assert reasons(quote)["b"] == expected


def test_cap_reached_is_named_before_not_combinable_even_for_budgets():
    first = campaign("a", rule=StackingRule.EXCLUSIVE, priority=2)
    second = campaign("b", caps=Caps(budget_fen=1), priority=1)
    assert reasons(price([plan("ice", 39800)], [first, second]))["b"] == "CAP_REACHED"


def test_rejections_are_listed_in_application_order():
    campaigns = [campaign(f"c{i}", priority=i % 3, paused=True) for i in range(6)]
    quote = price([plan()], reversed(campaigns))
    assert [r.campaign_id for r in quote.rejected] == ["c2", "c5", "c1", "c4", "c0", "c3"]


def test_a_recurring_discount_on_a_line_already_free_this_month_keeps_its_later_months():
    # Found by test_raising_a_benefit_never_raises_a_price: a free trial covering month 0 made a
    # later recurring discount look BELOW_FLOOR and lose its month 1.
    effective = shanghai(2026, 6, 1)
    trial = campaign("a", Benefit.free_trial(shanghai(2026, 6, 2)))
    monthly = campaign("b", Benefit.recurring(amount_fen=100, until=shanghai(2026, 8, 1)))
    quote = price([plan("ice", 500)], [trial, monthly], effective_from=effective)
    assert reasons(quote) == {}
    assert months(quote)[:3] == [0, 400, 500]
