"""monthly_usage_totals: rated home usage per billing cycle, from detail records."""

from datetime import datetime

import pytest

from db.models.usage import UsageRecord
from db.repositories.usage_totals import monthly_usage_totals, previous_months
from domain.calendar import SHANGHAI, cycle_of
from domain.recommendation import MonthlyUsage
from tests.conftest import subscribe

pytestmark = pytest.mark.calendar

NOW = datetime(2027, 1, 15, 12, tzinfo=SHANGHAI)
_ids = iter(range(10**9))


async def _record(subscriber_id: int, kind: str, quantity: int, at: datetime, zone=None) -> None:
    await UsageRecord.create(
        event_id=f"totals-{subscriber_id}-{next(_ids)}", fingerprint="x", subscriber_id=subscriber_id,
        kind=kind, cycle=cycle_of(at), occurred_at=at, quantity=quantity, roaming_zone=zone,
    )  # fmt: skip


def test_previous_months_cross_the_year_end():
    assert previous_months(NOW, 3) == ["2026-10", "2026-11", "2026-12"]


async def test_totals_per_cycle_skip_empty_months_roaming_and_the_current_one(services):
    sub = await subscribe(services)
    assert await monthly_usage_totals(sub.id, 3, NOW) == []
    # 1 December 00:00 Shanghai is still 30 November in UTC: it counts in December.
    await _record(sub.id, "DATA", 700 * 1024 + 512, datetime(2026, 12, 1, tzinfo=SHANGHAI))
    await _record(sub.id, "DATA", 100 * 1024, datetime(2026, 12, 20, tzinfo=SHANGHAI))
    await _record(sub.id, "DATA", 900 * 1024, datetime(2026, 12, 21, tzinfo=SHANGHAI), zone="HMT")
    await _record(sub.id, "VOICE", 123, datetime(2026, 12, 1, tzinfo=SHANGHAI))
    await _record(sub.id, "SMS", 9, datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI))
    await _record(sub.id, "VOICE", 999, datetime(2027, 1, 2, tzinfo=SHANGHAI))  # this month
    await _record(sub.id, "VOICE", 999, datetime(2026, 9, 30, tzinfo=SHANGHAI))  # too old
    assert await monthly_usage_totals(sub.id, 3, NOW) == [
        MonthlyUsage("2026-10", 0, 0, 9),
        MonthlyUsage("2026-12", 800, 123, 0),
    ]
