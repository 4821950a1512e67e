"""The points ledger: lots of earned points, and the decisions that move them.

Every movement is an append-only entry with a unique source key (the bill, order or redemption it
comes from), so replaying an event changes nothing. Earned points form a lot that expires at the
end of the following year (Asia/Shanghai). Spending burns the earliest-expiring live lots first
and records which lot gave how much (allocations): a refund puts the points back into exactly
those lots, and a lot already past its expiry expires again at once. A clawback (a paid order
cancelled) takes the order's points from its own lot first, then from the other live lots; what
the balance cannot cover is owed and taken from the next earnings. The balance is never negative.

The planning functions are what both the database repository and the in-memory `Ledger` (the
model the property tests run) apply, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.calendar import as_utc, end_of_year, local
from domain.errors import fail


class EntryKind(StrEnum):
    EARN = "EARN"
    REDEEM = "REDEEM"
    REFUND = "REFUND"
    EXPIRE = "EXPIRE"
    CLAWBACK = "CLAWBACK"
    ADJUST = "ADJUST"


MAX_SOURCE_LENGTH = 128


def lot_year(earned_at: datetime) -> int:
    """The business year an instant belongs to (00:30 on 1 January in Beijing is the new year)."""
    return local(earned_at).year


def lot_expires_at(earned_at: datetime) -> datetime:
    """Points earned in year N expire at the first instant of year N+2, i.e. end of year N+1."""
    return end_of_year(lot_year(earned_at) + 1)


@dataclass(frozen=True)
class Lot:
    id: int
    amount: int
    remaining: int
    expires_at: datetime
    source: str = ""

    def live(self, now: datetime) -> bool:
        return self.remaining > 0 and as_utc(now) < self.expires_at


@dataclass(frozen=True)
class Allocation:
    """`points` (positive) taken from or returned to one lot."""

    lot_id: int
    points: int


def check_source(source: str) -> str:
    source = (source or "").strip()
    if not source or len(source) > MAX_SOURCE_LENGTH:
        raise ValueError(f"a source key is 1..{MAX_SOURCE_LENGTH} characters")
    return source


def spend_order(lots: Iterable[Lot], now: datetime) -> list[Lot]:
    """Live lots, earliest-expiring first (ties: the older lot)."""
    return sorted((lot for lot in lots if lot.live(now)), key=lambda lot: (lot.expires_at, lot.id))


def available(lots: Iterable[Lot], now: datetime) -> int:
    return sum(lot.remaining for lot in lots if lot.live(now))


def _take(ordered: Sequence[Lot], points: int) -> tuple[list[Allocation], int]:
    taken: list[Allocation] = []
    left = points
    for lot in ordered:
        if left == 0:
            break
        n = min(lot.remaining, left)
        if n > 0:
            taken.append(Allocation(lot.id, n))
            left -= n
    return taken, left


def plan_burn(lots: Iterable[Lot], points: int, now: datetime) -> list[Allocation]:
    """Which lots a redemption (or a negative adjustment) of `points` burns."""
    if points <= 0:
        raise ValueError("burn a positive number of points")
    allocations, short = _take(spend_order(lots, now), points)
    if short:
        raise fail(
            "INSUFFICIENT_POINTS",
            f"You have {points - short} points available; this needs {points}.",
            "quantity",
        )
    return allocations


def plan_clawback(
    lots: Iterable[Lot], source_lot_id: int | None, points: int, now: datetime
) -> tuple[list[Allocation], int]:
    """Take back `points` an order earned: its own lot first, then the other live lots earliest
    first; returns the allocations and what stays owed (never below a zero balance)."""
    ordered = spend_order(lots, now)
    own = [lot for lot in ordered if lot.id == source_lot_id]
    others = [lot for lot in ordered if lot.id != source_lot_id]
    return _take(own + others, points)


def plan_expiry(lots: Iterable[Lot], at: datetime) -> list[Allocation]:
    """What expires at `at`: everything left in lots whose expiry has come."""
    at = as_utc(at)
    return [
        Allocation(lot.id, lot.remaining)
        for lot in sorted(lots, key=lambda lot: lot.id)
        if lot.remaining > 0 and lot.expires_at <= at
    ]


def plan_refund(
    lots_by_id: dict[int, Lot], burned: Sequence[Allocation], now: datetime
) -> tuple[list[Allocation], list[Allocation]]:
    """A redemption's points go back to the lots they came from; the part returned to a lot that
    has expired since expires again at once. Returns (refunded, re-expired)."""
    returned = [Allocation(a.lot_id, a.points) for a in burned if a.points > 0]
    again = [a for a in returned if lots_by_id[a.lot_id].expires_at <= as_utc(now)]
    return returned, again


def owed_taken(owed: int, earned: int) -> int:
    """How much of a new lot settles an outstanding clawback."""
    return min(max(owed, 0), max(earned, 0))


def apply(lots_by_id: dict[int, Lot], allocations: Iterable[Allocation], sign: int) -> None:
    """Apply allocations to the lots in place: sign -1 takes, +1 returns."""
    for a in allocations:
        lot = lots_by_id[a.lot_id]
        remaining = lot.remaining + sign * a.points
        if not 0 <= remaining <= lot.amount:
            raise ValueError(f"lot {lot.id} would hold {remaining} of {lot.amount}")
        lots_by_id[a.lot_id] = replace(lot, remaining=remaining)


@dataclass(frozen=True)
class Entry:
    kind: EntryKind
    amount: int  # signed: what the entry did to the balance
    source: str
    at: datetime
    note: str = ""
    allocations: tuple[Allocation, ...] = ()
    lot_id: int | None = None  # the lot an EARN or positive ADJUST created


def expire_source(account: int | str, expires_at: datetime) -> str:
    return f"EXPIRE:{account}:{as_utc(expires_at):%Y%m%dT%H%M%SZ}"


@dataclass
class Ledger:
    """One account's ledger in memory: the reference model of the stored one."""

    lots: dict[int, Lot] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    owed: int = 0

    @property
    def balance(self) -> int:
        return sum(lot.remaining for lot in self.lots.values())

    def _entry(self, source: str) -> Entry | None:
        return next((e for e in self.entries if e.source == source), None)

    def _append(self, entry: Entry) -> Entry:
        if self._entry(entry.source) is not None:
            raise ValueError(f"source {entry.source} already recorded")
        self.entries.append(entry)
        return entry

    def _new_lot(self, points: int, at: datetime, source: str) -> Lot:
        lot = Lot(len(self.lots) + 1, points, points, lot_expires_at(at), source)
        self.lots[lot.id] = lot
        return lot

    def expire(self, at: datetime) -> list[Entry]:
        """Expire every lot due at `at`, one entry per expiry instant; a second run is a no-op."""
        due = plan_expiry(self.lots.values(), at)
        made = []
        for expires_at in sorted({self.lots[a.lot_id].expires_at for a in due}):
            part = tuple(a for a in due if self.lots[a.lot_id].expires_at == expires_at)
            source = expire_source("me", expires_at)
            if self._entry(source) is not None:
                source = f"{source}:{len(self.entries)}"
            apply(self.lots, part, -1)
            made.append(
                self._append(
                    Entry(EntryKind.EXPIRE, -sum(a.points for a in part), source, at, "", part)
                )
            )
        return made

    def earn(self, source: str, points: int, at: datetime, note: str = "") -> Entry | None:
        source = check_source(source)
        if points <= 0 or self._entry(source) is not None:
            return None
        self.expire(at)
        lot = self._new_lot(points, at, source)
        entry = self._append(Entry(EntryKind.EARN, points, source, at, note, (), lot.id))
        taken = owed_taken(self.owed, points)
        if taken:
            settle = (Allocation(lot.id, taken),)
            apply(self.lots, settle, -1)
            self.owed -= taken
            self._append(Entry(EntryKind.CLAWBACK, -taken, f"OWED:{source}", at, "", settle))
        return entry

    def redeem(self, source: str, points: int, at: datetime, note: str = "") -> Entry:
        source = check_source(source)
        if (found := self._entry(source)) is not None:
            return found
        self.expire(at)
        allocations = tuple(plan_burn(self.lots.values(), points, at))
        apply(self.lots, allocations, -1)
        return self._append(Entry(EntryKind.REDEEM, -points, source, at, note, allocations))

    def refund(self, redeemed_source: str, at: datetime) -> Entry | None:
        redeemed = self._entry(redeemed_source)
        source = f"REFUND:{redeemed_source}"
        if redeemed is None or redeemed.kind is not EntryKind.REDEEM or self._entry(source):
            return None
        returned, again = plan_refund(self.lots, redeemed.allocations, at)
        apply(self.lots, returned, +1)
        entry = self._append(
            Entry(EntryKind.REFUND, -redeemed.amount, source, at, "", tuple(returned))
        )
        if again:
            apply(self.lots, again, -1)
            self._append(
                Entry(
                    EntryKind.EXPIRE,
                    -sum(a.points for a in again),
                    f"EXPIRE:{source}",
                    at,
                    "",
                    tuple(again),
                )
            )
        return entry

    def clawback(self, earned_source: str, at: datetime) -> Entry | None:
        earned = self._entry(earned_source)
        source = f"CLAWBACK:{earned_source}"
        if earned is None or earned.kind is not EntryKind.EARN or self._entry(source):
            return None
        self.expire(at)
        allocations, owed = plan_clawback(self.lots.values(), earned.lot_id, earned.amount, at)
        apply(self.lots, allocations, -1)
        self.owed += owed
        taken = sum(a.points for a in allocations)
        return self._append(
            Entry(EntryKind.CLAWBACK, -taken, source, at, f"owed {owed}", tuple(allocations))
        )

    def adjust(self, source: str, delta: int, at: datetime, reason: str) -> Entry:
        source = check_source(source)
        if (found := self._entry(source)) is not None:
            return found
        reason = check_reason(reason)
        self.expire(at)
        if delta > 0:
            lot = self._new_lot(delta, at, source)
            return self._append(Entry(EntryKind.ADJUST, delta, source, at, reason, (), lot.id))
        allocations = tuple(plan_burn(self.lots.values(), -delta, at))
        apply(self.lots, allocations, -1)
        return self._append(Entry(EntryKind.ADJUST, delta, source, at, reason, allocations))


MAX_ADJUST = 1_000_000


def check_adjustment(delta: int) -> int:
    if delta == 0 or abs(delta) > MAX_ADJUST:
        raise fail(
            "INVALID_ADJUSTMENT", f"Adjust by 1 to {MAX_ADJUST} points, up or down.", "points"
        )
    return delta


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise fail("REASON_REQUIRED", "Say why, in 2 to 200 characters.", "reason")
    return reason


REMINDER_DAYS = (30, 7)


def reminders_due(
    expires_at: datetime, now: datetime, days: Sequence[int] = REMINDER_DAYS
) -> list[int]:
    """Which reminders (days before expiry) have come due for points expiring at `expires_at`."""
    now = as_utc(now)
    if now >= expires_at:
        return []
    return sorted(d for d in days if expires_at - timedelta(days=d) <= now)
