"""The hall's clock for the whole test session. TELEHALL_TEST_NOW (ISO 8601 with offset) starts it
at that instant, so `make test-calendar` runs the date-sensitive tests at each calendar edge; tests
move it through the `clock` fixture and helpers compute dates from it, never from the wall clock."""

from __future__ import annotations

import os
from datetime import datetime

from domain.clock import SettableClock


def test_start() -> datetime | None:
    raw = os.environ.get("TELEHALL_TEST_NOW")
    return datetime.fromisoformat(raw) if raw else None


CLOCK = SettableClock(test_start())
SEEDED_AT = CLOCK.now()  # the instant the session's demo data is seeded for


def seeded(festival) -> dict[str, str]:
    """Ids of what the demo seed made for `festival` (a db.seed.promotions builder), by their
    suffix: seeded(festival_517)["ICE-HALF"] == "517-2027-ICE-HALF"; "" is the festival."""
    fest, campaigns = festival(SEEDED_AT)
    return {"": fest.id} | {c.id.split("-", 2)[2]: c.id for c in campaigns}


def now() -> datetime:
    return CLOCK.now()
