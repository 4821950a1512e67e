"""Monthly usage totals for recommendations.

For now the totals are the `used` amounts of the subscriber's allowance buckets, summed per
calendar month (Asia/Shanghai) of the bucket's `valid_from`: a plan-month bucket counts in its
month, an add-on in the month it was bought. Usage beyond all buckets (pay-as-you-go) is not
seen. When rated usage records land, this one function switches to summing them; its callers and
its return type stay the same.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from db.models.usage import AllowanceBucket
from domain.allowances import AllowanceKind, to_display
from domain.calendar import add_months, as_utc, cycle_of, local, month_start, utcnow
from domain.recommendation import MonthlyUsage


def previous_months(now: datetime, months: int) -> list[str]:
    """The `months` complete calendar months before the one `now` is in, oldest first."""
    here = local(now)
    labels = []
    for back in range(months, 0, -1):
        year, month = add_months(here.year, here.month, -back)
        labels.append(f"{year:04d}-{month:02d}")
    return labels


async def monthly_usage_totals(
    subscriber_id: int, months: int = 3, now: datetime | None = None
) -> list[MonthlyUsage]:
    """Totals of the last `months` complete months that have any usage data, oldest first;
    an empty list when there is none yet (the month in progress is left out: it is partial)."""
    now = as_utc(now or utcnow())
    labels = previous_months(now, months)
    if not labels:
        return []
    first_year, first_month = (int(part) for part in labels[0].split("-"))
    here = local(now)
    rows = await AllowanceBucket.filter(
        subscriber_id=subscriber_id,
        valid_from__gte=month_start(first_year, first_month),
        valid_from__lt=month_start(here.year, here.month),
    ).values("kind", "used", "valid_from")
    totals: dict[str, dict[AllowanceKind, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        totals[cycle_of(row["valid_from"])][AllowanceKind(row["kind"])] += row["used"]
    return [
        MonthlyUsage(
            month=label,
            data_mb=to_display(AllowanceKind.DATA, totals[label][AllowanceKind.DATA]),
            voice_minutes=totals[label][AllowanceKind.VOICE],
            sms_count=totals[label][AllowanceKind.SMS],
        )
        for label in labels
        if label in totals
    ]
