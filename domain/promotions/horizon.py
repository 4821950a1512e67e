"""Which campaigns a quote explains, written once for customer quotes and marketing's dry runs.

A quote at instant `at`, asked at instant `asked`, considers every published campaign that is not
over at the earlier of the two (less a small slack for requests that read the clock just before the
index reloaded). The engine then rejects those outside their window at `at` with OUTSIDE_WINDOW:
a campaign that ended minutes ago is still explained until the index reloads, and a dry run at a
later instant explains the campaigns of today that will have ended (or not yet started) by then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import as_utc
from domain.errors import fail

SLACK = timedelta(minutes=1)
PREVIEW_REACH = timedelta(days=5 * 366)  # a dry run looks at most about five years either way


def considered_from(asked: datetime, at: datetime) -> datetime:
    """A quote at `at`, asked at `asked`, explains the campaigns not over at this instant."""
    return min(as_utc(asked), as_utc(at)) - SLACK


def check_preview_instant(at: datetime, asked: datetime) -> datetime:
    if abs(as_utc(at) - as_utc(asked)) > PREVIEW_REACH:
        raise fail("INVALID_INSTANT", "Preview an instant within five years of now.", "at")
    return as_utc(at)
