"""Monthly usage totals for recommendations, from rated detail records: what the subscriber
actually used at home per billing cycle (roaming is priced by roaming packs, not by a plan)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from tortoise.functions import Sum

from db.models.usage import UsageRecord
from domain.allowances import KB_PER_MB
from domain.calendar import add_months, as_utc, local
from domain.rating import UsageKind
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
    subscriber_id: int, months: int, now: datetime
) -> list[MonthlyUsage]:
    """Totals of the last `months` complete cycles that have any usage, oldest first; an empty
    list when there is none yet (the cycle in progress is left out: it is partial)."""
    labels = previous_months(as_utc(now), months)
    rows = (
        await UsageRecord.filter(
            subscriber_id=subscriber_id,
            cycle__in=labels,
            kind__in=[UsageKind.DATA, UsageKind.VOICE, UsageKind.SMS],
            roaming_zone=None,
        )
        .annotate(total=Sum("quantity"))
        .group_by("cycle", "kind")
        .values("cycle", "kind", "total")
    )
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        totals[row["cycle"]][str(row["kind"])] += int(row["total"] or 0)
    return [
        MonthlyUsage(
            month=label,
            data_mb=totals[label][UsageKind.DATA.value] // KB_PER_MB,
            voice_minutes=totals[label][UsageKind.VOICE.value],
            sms_count=totals[label][UsageKind.SMS.value],
        )
        for label in labels
        if label in totals
    ]
