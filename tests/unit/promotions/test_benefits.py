"""Each benefit kind with explicit numbers."""

from __future__ import annotations

from domain.pricing import Gift
from domain.promotions.model import Benefit, Targets

from .builders import (
    DURING,
    K,
    applied_ids,
    campaign,
    line,
    mall,
    months,
    pack,
    plan,
    price,
    recharge,
    shanghai,
)


def test_ice_cream_plan_at_half_price():
    quote = price([plan("ice", 39800)], [campaign("half", Benefit.percent_off(5000))])
    assert line(quote, "ice").final_price_fen == 19900
    assert line(quote, "ice").adjustments[0].amount_fen == 19900
    assert line(quote, "ice").adjustments[0].campaign_id == "half"


def test_ten_percent_off_an_app_recharge():
    quote = price(
        [recharge(5000)],
        [campaign("r10", Benefit.percent_off(1000), Targets(kinds=(K.RECHARGE,)))],
    )
    assert quote.discount_fen == 500
    assert quote.final_price_fen == 4500


def test_half_up_gives_one_fen_off_one_fen():
    quote = price([plan("ice", 1)], [campaign("half", Benefit.percent_off(5000))])
    assert quote.final_price_fen == 0


def test_just_under_half_a_fen_rounds_to_nothing_but_still_applies():
    quote = price([plan("ice", 1)], [campaign("c", Benefit.percent_off(4999))])
    assert quote.final_price_fen == 1
    assert line(quote, "ice").adjustments == ()
    assert applied_ids(quote) == ["c"]


def test_percent_rounds_per_line_not_per_order():
    lines = [pack("a", 3), pack("b", 3)]
    quote = price(lines, [campaign("c", Benefit.percent_off(5000), Targets(kinds=(K.DATA,)))])
    # 1.5 fen per line rounds up on each line: 4 fen off, where rounding the order would give 3
    assert [q.adjustments[0].amount_fen for q in quote.lines] == [2, 2]


def test_amount_off_is_split_by_largest_remainder_and_sums_exactly():
    lines = [pack("a", 3333), pack("b", 3333), pack("c", 3334)]
    quote = price(lines, [campaign("c", Benefit.amount_off(1000), Targets(kinds=(K.DATA,)))])
    parts = [q.adjustments[0].amount_fen for q in quote.lines]
    assert sum(parts) == 1000
    assert parts == [333, 333, 334]


def test_amount_off_weights_by_price():
    lines = [pack("a", 3000), pack("b", 1000)]
    quote = price(lines, [campaign("c", Benefit.amount_off(1000), Targets(kinds=(K.DATA,)))])
    assert [q.final_price_fen for q in quote.lines] == [2250, 750]


def test_amount_off_never_exceeds_what_the_lines_cost():
    quote = price(
        [mall("m", 3000)],
        [campaign("c", Benefit.amount_off(10_000), Targets(mall_item_ids=("m",)))],
    )
    assert quote.final_price_fen == 0
    assert quote.discount_fen == 3000
    assert quote.applied[0].spend_fen == 3000


def test_amount_off_only_touches_matched_lines():
    quote = price(
        [plan("ice", 39800), recharge(5000)],
        [campaign("c", Benefit.amount_off(1000), Targets(kinds=(K.RECHARGE,)))],
    )
    assert line(quote, "ice").final_price_fen == 39800
    assert line(quote, "recharge-5000").final_price_fen == 4000


def test_fixed_price_lowers_a_line_to_the_price():
    quote = price([plan("ice", 39800)], [campaign("c", Benefit.fixed_price(9900))])
    assert quote.final_price_fen == 9900


def test_fixed_price_above_the_price_changes_nothing():
    quote = price([plan("ice", 5000)], [campaign("c", Benefit.fixed_price(9900))])
    assert quote.final_price_fen == 5000
    assert line(quote, "ice").adjustments == ()


def test_one_time_discount_on_a_monthly_fee_is_month_zero_only():
    quote = price([plan("ice", 39800)], [campaign("c", Benefit.percent_off(5000))])
    assert months(quote) == [19900] + [39800] * 11


def test_recurring_percent_for_three_months():
    quote = price(
        [plan("ice", 39800)], [campaign("c", Benefit.recurring(percent_bp=5000, months=3))]
    )
    assert months(quote) == [19900] * 3 + [39800] * 9
    assert quote.applied[0].spend_fen == 3 * 19900
    assert quote.final_price_fen == 19900


def test_recurring_amount_until_a_date_is_split_across_the_matched_lines():
    combo = [pack("data-1g", 4800), pack("voice-500", 5600, K.VOICE)]
    quote = price(
        combo,
        [
            campaign(
                "c",
                Benefit.recurring(amount_fen=1000, until=shanghai(2026, 8, 1)),
                Targets(pack_ids=("data-1g", "voice-500")),
            )
        ],
    )
    # May, June, July start before Aug 1; 1000 a month split 4800:5600 = 462:538
    assert months(quote) == [9400] * 3 + [10400] * 9
    assert [q.adjustments[0].amount_fen for q in quote.lines] == [462, 538]


def test_free_trial_until_a_date():
    quote = price(
        [pack("video", 1500, K.ADDON)],
        [campaign("c", Benefit.free_trial(shanghai(2026, 7, 1)), Targets(pack_ids=("video",)))],
    )
    assert months(quote) == [0, 0] + [1500] * 10
    assert quote.applied[0].spend_fen == 3000


def test_gift_attaches_without_changing_the_price():
    quote = price([plan("ice", 39800)], [campaign("g", Benefit.gift("cloud-storage-1y"))])
    assert quote.final_price_fen == 39800
    assert quote.gifts == (Gift("g", "campaign g", "cloud-storage-1y"),)


def test_gift_is_one_per_matched_line():
    quote = price(
        [mall("m1", 100), mall("m2", 200)],
        [campaign("g", Benefit.gift("sticker"), Targets(mall_item_ids=("m1", "m2")))],
    )
    assert len(quote.gifts) == 2
    assert quote.applied[0].units == 2


def test_points_multiplier_takes_the_highest_not_the_product_nor_the_last():
    for high, low in ((1, 0), (0, 1)):
        campaigns = [
            campaign("x3", Benefit.points_multiplier(30_000), priority=high),
            campaign("x2", Benefit.points_multiplier(20_000), priority=low),
        ]
        assert price([plan("ice", 39800)], campaigns).points_to_earn == 398 * 3


def test_a_largest_remainder_tie_goes_to_the_same_line_whatever_the_cart_order():
    a, b = mall("m-a", 5000), mall("m-b", 5000)
    c = campaign("c", Benefit.amount_off(1001), Targets(kinds=(K.MALL_ITEM,)))
    forward = price([a, b], [c])
    backward = price([b, a], [c])
    assert line(forward, "m-a").final_price_fen == line(backward, "m-a").final_price_fen == 4499
    assert line(forward, "m-b").final_price_fen == line(backward, "m-b").final_price_fen == 4500


def test_points_multiplier_applies_only_to_the_lines_it_targets():
    quote = price(
        [plan("ice", 39800), recharge(5050)],
        [campaign("x2", Benefit.points_multiplier(20_000), Targets(kinds=(K.RECHARGE,)))],
    )
    assert quote.points_to_earn == 398 + 50 * 2


def test_points_are_earned_on_the_discounted_price():
    quote = price([plan("ice", 39800)], [campaign("half", Benefit.percent_off(5000))])
    assert quote.points_to_earn == 199


def test_floor_clamps_the_discount():
    quote = price([plan("ice", 39800)], [campaign("c", Benefit.percent_off(5000), floor_fen=29900)])
    assert quote.final_price_fen == 29900
    assert applied_ids(quote) == ["c"]


def test_floor_clamps_a_fixed_price_and_a_free_trial():
    fixed = price([plan("ice", 39800)], [campaign("c", Benefit.fixed_price(100), floor_fen=990)])
    assert fixed.final_price_fen == 990
    trial = campaign(
        "t", Benefit.free_trial(shanghai(2026, 6, 1)), Targets(pack_ids=("v",)), floor_fen=100
    )
    assert price([pack("v", 1500)], [trial]).final_price_fen == 100


def test_amount_off_respects_the_floor_on_each_line():
    lines = [pack("a", 1000), pack("b", 5000)]
    quote = price(
        lines, [campaign("c", Benefit.amount_off(5000), Targets(kinds=(K.DATA,)), floor_fen=900)]
    )
    assert [q.final_price_fen for q in quote.lines] == [900, 900]


def test_discounts_chain_on_what_earlier_ones_left():
    campaigns = [
        campaign("first", Benefit.percent_off(5000), priority=2),
        campaign("second", Benefit.amount_off(1000), priority=1),
    ]
    quote = price([plan("ice", 39800)], campaigns)
    assert [a.amount_fen for a in line(quote, "ice").adjustments] == [19900, 1000]
    assert quote.final_price_fen == 18900


def test_the_517_festival_cart():
    until = shanghai(2026, 9, 1)
    campaigns = [
        campaign("ice", Benefit.recurring(percent_bp=5000, until=until), priority=10),
        campaign("app", Benefit.percent_off(1000), Targets(kinds=(K.RECHARGE,))),
        campaign("video", Benefit.free_trial(until), Targets(pack_ids=("video",))),
        campaign("cloud", Benefit.gift("cloud-1y")),
    ]
    cart = [plan("ice", 39800), recharge(5000), pack("video", 1500, K.VAS)]
    quote = price(cart, campaigns, at=DURING)
    assert quote.final_price_fen == 19900 + 4500 + 0
    assert months(quote) == [24400, 19900, 19900, 19900] + [41300] * 8
    assert [g.item for g in quote.gifts] == ["cloud-1y"]
    assert quote.rejected == ()
