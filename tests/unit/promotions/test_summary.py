"""Benefit summaries customers read: 5折, 立减¥20.00, 月费5折，至2027年11月30日."""

from __future__ import annotations

import pytest

from domain.promotions.model import Benefit
from domain.promotions.summary import benefit_summary, fold

from .builders import shanghai


@pytest.mark.parametrize(
    ("bp", "text"),
    [(5000, "5折"), (1000, "9折"), (1500, "8.5折"), (125, "9.875折"), (9900, "0.1折")],
)
def test_fold(bp, text):
    assert fold(bp) == text


@pytest.mark.parametrize(
    ("benefit", "text"),
    [
        (Benefit.percent_off(10_000), "免费"),
        (Benefit.amount_off(2000), "立减¥20.00"),
        (Benefit.fixed_price(990), "特价¥9.90"),
        (
            Benefit.recurring(percent_bp=5000, until=shanghai(2027, 12, 1)),
            "月费5折，至2027年11月30日",
        ),
        (Benefit.recurring(amount_fen=1000, months=3), "月费立减¥10.00，连续3个月"),
        (Benefit.free_trial(shanghai(2027, 6, 1, 12)), "免费体验至2027年6月1日"),
        (Benefit.gift("和彩云网盘1年会员"), "赠送和彩云网盘1年会员"),
        (Benefit.points_multiplier(15_000), "积分1.5倍"),
    ],
)
def test_benefit_summary(benefit, text):
    assert benefit_summary(benefit) == text
