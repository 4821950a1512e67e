"""The one source of business time. Every use case reads `services.clock.now()` (or takes `now`);
tests and the calendar suite set the clock instead of patching names or the wall clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, UTC, timezone-aware."""
        ...


class SystemClock:
    """Production: the host's clock (NTP-disciplined)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock:
    """A clock that runs from a chosen instant at the real pace, or stands still when frozen.

    Starting at `start` means "pretend the process started then": durations (TTLs, timeouts)
    still pass as they really do, which is what a calendar-edge run needs."""

    def __init__(self, start: datetime | None = None) -> None:
        self._anchor = _aware(start) if start is not None else datetime.now(UTC)
        self._mono = time.monotonic()
        self._frozen: datetime | None = None
        self._origin = (self._anchor, self._mono)

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return self._anchor + timedelta(seconds=time.monotonic() - self._mono)

    def set(self, instant: datetime, *, frozen: bool = True) -> None:
        """Jump to `instant`; frozen unless asked to keep running from there."""
        if frozen:
            self._frozen = _aware(instant)
        else:
            self._frozen = None
            self._anchor, self._mono = _aware(instant), time.monotonic()

    def advance(self, delta: timedelta) -> datetime:
        if self._frozen is not None:
            self._frozen += delta
        else:
            self._anchor += delta
        return self.now()

    def reset(self) -> None:
        """Back to the timeline the clock started on, as if nobody had touched it."""
        self._anchor, self._mono = self._origin
        self._frozen = None

    def resume(self) -> None:
        """Unfreeze at the frozen instant and run on from it."""
        if self._frozen is not None:
            self.set(self._frozen, frozen=False)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware instant")
    return instant.astimezone(UTC)
