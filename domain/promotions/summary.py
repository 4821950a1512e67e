"""One line of Chinese that tells a customer what a benefit is: 「月费5折，至2027年11月30日」.

Dates are business-calendar days; an `until` at midnight names the day before it (windows are
half-open, so `until` = 1 December 00:00 means "through 30 November").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import local
from domain.money import BP_WHOLE, yuan
from domain.promotions.model import Benefit, BenefitKind


def _decimal(value: int, scale: int) -> str:
    """`value / scale` without floats, trailing zeros dropped: 8500/1000 -> '8.5'."""
    whole, rest = divmod(value, scale)
    if not rest:
        return str(whole)
    digits = str(rest).rjust(len(str(scale)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def fold(percent_bp: int) -> str:
    """Chinese discount notation: 10 % off is 9折, 50 % off is 5折, 15 % off is 8.5折."""
    return f"{_decimal(BP_WHOLE - percent_bp, 1000)}折"


def last_day(until: datetime) -> str:
    here = local(until)
    if (here.hour, here.minute, here.second, here.microsecond) == (0, 0, 0, 0):
        here -= timedelta(days=1)
    return f"{here.year}年{here.month}月{here.day}日"


def benefit_summary(benefit: Benefit) -> str:
    kind = benefit.kind
    if kind is BenefitKind.PERCENT_OFF:
        return "免费" if benefit.percent_bp >= BP_WHOLE else fold(benefit.percent_bp)
    if kind is BenefitKind.AMOUNT_OFF:
        return f"立减{yuan(benefit.amount_fen)}"
    if kind is BenefitKind.FIXED_PRICE:
        return f"特价{yuan(benefit.fixed_price_fen)}"
    if kind is BenefitKind.RECURRING:
        off = (
            f"月费{fold(benefit.percent_bp)}"
            if benefit.percent_bp
            else f"月费立减{yuan(benefit.amount_fen)}"
        )
        if benefit.months:
            return f"{off}，连续{benefit.months}个月"
        assert benefit.until is not None
        return f"{off}，至{last_day(benefit.until)}"
    if kind is BenefitKind.FREE_TRIAL:
        assert benefit.until is not None
        return f"免费体验至{last_day(benefit.until)}"
    if kind is BenefitKind.GIFT:
        return f"赠送{benefit.gift_item}"
    return f"积分{_decimal(benefit.multiplier_bp, BP_WHOLE)}倍"
