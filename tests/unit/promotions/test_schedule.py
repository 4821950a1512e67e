"""Benefit terms and the 12-month schedule."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.calendar import next_month_start
from domain.pricing import Cart, Channel, list_quote
from domain.promotions.engine import evaluate
from domain.promotions.model import Benefit, Targets
from domain.promotions.schedule import term_months

from .builders import DURING, SUBSCRIBER, K, campaign, months, pack, plan, price, recharge, shanghai

pytestmark = pytest.mark.calendar


def test_no_campaigns_prices_exactly_like_the_list_quote():
    cart = Cart((plan("ice", 39800), recharge(5000), pack("v", 1500)))
    assert evaluate(cart, SUBSCRIBER, Channel.APP, DURING, []) == list_quote(cart, DURING)


def test_one_off_lines_are_billed_in_month_zero_only():
    quote = price([plan("ice", 39800), recharge(5000)], [])
    assert months(quote) == [44800] + [39800] * 11
    assert quote.schedule[0].month == "2026-05"
    assert quote.schedule[-1].month == "2027-04"


def test_until_at_a_month_start_is_exclusive():
    c = campaign("c", Benefit.recurring(percent_bp=5000, until=shanghai(2026, 7, 1)))
    assert months(price([plan("ice", 39800)], [c])) == [19900, 19900] + [39800] * 10


def test_until_in_mid_month_covers_that_whole_month():
    c = campaign("c", Benefit.recurring(percent_bp=5000, until=shanghai(2026, 7, 1, 0, 0, 1)))
    assert months(price([plan("ice", 39800)], [c])) == [19900] * 3 + [39800] * 9


def test_until_is_read_in_the_shanghai_calendar():
    # 2026-06-30T16:00Z is July 1 00:00 in Shanghai: June is the last month covered
    until = datetime.fromisoformat("2026-06-30T16:00:00+00:00")
    assert term_months(Benefit.free_trial(until), DURING) == 2


def test_a_plan_change_starts_its_schedule_next_month():
    c = campaign("c", Benefit.recurring(percent_bp=5000, months=2))
    june = next_month_start(DURING)
    quote = price([plan("ice", 39800)], [c], effective_from=june)
    assert quote.schedule[0].month == "2026-06"
    assert months(quote) == [19900, 19900] + [39800] * 10


def test_free_trial_until_counts_from_effective_from():
    trial = Benefit.free_trial(shanghai(2026, 8, 1))
    assert term_months(trial, shanghai(2026, 5, 31, 23, 59)) == 3
    assert term_months(trial, shanghai(2026, 6, 1)) == 2
    assert term_months(trial, shanghai(2026, 8, 1)) == 0


def test_a_term_longer_than_the_schedule_is_budgeted_in_full():
    c = campaign("c", Benefit.recurring(percent_bp=5000, months=24))
    quote = price([plan("ice", 39800)], [c])
    assert months(quote) == [19900] * 12
    assert quote.applied[0].spend_fen == 24 * 19900


def test_one_time_and_recurring_discounts_chain_month_by_month():
    campaigns = [
        campaign("recurring", Benefit.recurring(percent_bp=5000, months=3), priority=2),
        campaign("once", Benefit.amount_off(1000), priority=1),
    ]
    quote = price([plan("ice", 39800)], campaigns)
    assert months(quote) == [18900, 19900, 19900] + [39800] * 9


def test_a_recurring_benefit_on_a_one_off_line_prices_only_that_purchase():
    c = campaign("c", Benefit.recurring(percent_bp=1000, months=6), Targets(kinds=(K.RECHARGE,)))
    quote = price([recharge(5000)], [c])
    assert months(quote) == [4500] + [0] * 11
    assert quote.applied[0].spend_fen == 500
