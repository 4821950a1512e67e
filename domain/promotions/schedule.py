"""Month-by-month prices for the 12 months from a quote's `effective_from`, and benefit terms.

Months are business-calendar (Asia/Shanghai) months; month 0 is the month of `effective_from`
and starts at `effective_from` itself, later months at 00:00 on the 1st. Billing is monthly with
no proration, so a term is always a run of whole months from month 0:

- PERCENT_OFF, AMOUNT_OFF, FIXED_PRICE are one-time: they price this order, which for a monthly
  fee means month 0 only; from month 1 the fee is back to list unless a term covers it.
- RECURRING for N months covers months 0..N-1.
- RECURRING or FREE_TRIAL until a date covers every month that *starts* before `until`. An
  `until` in mid-month therefore covers that whole month: the customer is never billed a full
  month during part of which the offer was promised. Marketers who mean "through June" set
  `until` to July 1 00:00 (half-open, like every window).
A term that has already run out by `effective_from` covers nothing (the engine rejects the
campaign as OUTSIDE_WINDOW). Budgets count a term in full, even beyond the 12 months shown.

One-off lines (recharges, mall items) exist in month 0 only; recurring lines in every month.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from domain.calendar import as_utc, local, month_start
from domain.pricing import SCHEDULE_MONTHS, MonthPrice
from domain.promotions.model import Benefit, BenefitKind

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def micros(instant: datetime) -> int:
    """Exact integer microseconds since the epoch: compared once, without tz arithmetic."""
    return (as_utc(instant) - _EPOCH) // _MICRO


def month_index(instant: datetime) -> int:
    here = local(instant)
    return here.year * 12 + here.month - 1


def last_month_before(until: datetime) -> int:
    """Index of the last business month that starts strictly before `until`."""
    index = month_index(until)
    start = month_start(index // 12, index % 12 + 1)
    return index - 1 if as_utc(until) == start else index


def months_until(last_month: int, until_us: int, effective_us: int, effective_month: int) -> int:
    """How many months from month 0 start before `until` (precomputed parts, for the engine)."""
    if until_us <= effective_us:
        return 0
    return last_month - effective_month + 1


def term_months(benefit: Benefit, effective_from: datetime) -> int:
    """Months (from month 0) whose price this benefit lowers; 0 for gifts and multipliers."""
    kind = benefit.kind
    if kind in (BenefitKind.GIFT, BenefitKind.POINTS_MULTIPLIER):
        return 0
    if kind in (BenefitKind.PERCENT_OFF, BenefitKind.AMOUNT_OFF, BenefitKind.FIXED_PRICE):
        return 1
    if benefit.months:
        return benefit.months
    assert benefit.until is not None
    return months_until(
        last_month_before(benefit.until),
        micros(benefit.until),
        micros(effective_from),
        month_index(effective_from),
    )


@lru_cache(maxsize=256)
def labels_from(first_month: int, months: int = SCHEDULE_MONTHS) -> tuple[str, ...]:
    return tuple(
        f"{(first_month + i) // 12:04d}-{(first_month + i) % 12 + 1:02d}" for i in range(months)
    )


def monthly_schedule(
    remaining: Sequence[Sequence[int]], recurring: Sequence[bool], first_month: int
) -> tuple[MonthPrice, ...]:
    """Sum each month's line prices: `remaining[line][month]`, one-off lines in month 0 only."""
    totals = [0] * SCHEDULE_MONTHS
    for prices, monthly in zip(remaining, recurring, strict=True):
        if monthly:
            for m in range(SCHEDULE_MONTHS):
                totals[m] += prices[m]
        else:
            totals[0] += prices[0]
    return tuple(
        MonthPrice(label, total)
        for label, total in zip(labels_from(first_month), totals, strict=True)
    )
