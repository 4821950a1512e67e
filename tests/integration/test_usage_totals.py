"""monthly_usage_totals: bucket usage per Shanghai calendar month of valid_from."""

from datetime import datetime

from db.models.usage import AllowanceBucket
from db.repositories.usage_totals import monthly_usage_totals, previous_months
from domain.calendar import SHANGHAI
from domain.recommendation import MonthlyUsage
from tests.conftest import subscribe

NOW = datetime(2027, 1, 15, 12, tzinfo=SHANGHAI)


async def _bucket(subscriber_id: int, kind: str, used: int, valid_from: datetime) -> None:
    await AllowanceBucket.create(
        subscriber_id=subscriber_id, kind=kind, total=used + 10, used=used, source="PLAN",
        source_id="4G-136", source_name="4G全国套餐 136元", valid_from=valid_from,
        valid_until=datetime(2027, 12, 1, tzinfo=SHANGHAI),
    )  # fmt: skip


def test_previous_months_cross_the_year_end():
    assert previous_months(NOW, 3) == ["2026-10", "2026-11", "2026-12"]


async def test_totals_per_month_skip_empty_months_and_the_current_one(services):
    sub = await subscribe(services)
    assert await monthly_usage_totals(sub.id, 3, NOW) == []
    # 1 December 00:00 Shanghai is still 30 November in UTC: it counts in December.
    await _bucket(sub.id, "DATA", 700 * 1024 + 512, datetime(2026, 12, 1, tzinfo=SHANGHAI))
    await _bucket(sub.id, "DATA", 100 * 1024, datetime(2026, 12, 20, tzinfo=SHANGHAI))
    await _bucket(sub.id, "VOICE", 123, datetime(2026, 12, 1, tzinfo=SHANGHAI))
    await _bucket(sub.id, "SMS", 9, datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI))
    await _bucket(sub.id, "VOICE", 999, datetime(2027, 1, 2, tzinfo=SHANGHAI))  # this month
    await _bucket(sub.id, "VOICE", 999, datetime(2026, 9, 30, tzinfo=SHANGHAI))  # too old
    assert await monthly_usage_totals(sub.id, 3, NOW) == [
        MonthlyUsage("2026-10", 0, 0, 9),
        MonthlyUsage("2026-12", 800, 123, 0),
    ]
