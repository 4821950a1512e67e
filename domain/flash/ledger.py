"""The pure reference model of a flash sale's stock, step for step what the Redis scripts in
`db.stores.flash_sales` do (a Hypothesis state machine runs both side by side). Time is integer
milliseconds since the epoch, as Redis `TIME` gives it.

take(request, reservation id, subscriber, quantity, now), in this order:
1. NOT_LOADED when the sale's terms are not loaded (Redis lost them): fail closed, take nothing.
2. A repeated request (same subscriber and idempotency key) gets the earlier answer and takes
   nothing more. Answers that depend only on the clock (NOT_STARTED, BOOKING_REQUIRED) are not
   kept: they took nothing and the same request may succeed a moment later.
3. NOT_STARTED before `starts`, ENDED from `ends` on (half-open window) or when cancelled.
4. BOOKING_REQUIRED before `priority_ends` for a subscriber who did not book (预约).
5. LIMIT_REACHED when the subscriber's held + paid units plus `quantity` pass the limit.
6. SOLD_OUT when fewer than `quantity` units remain.
7. Otherwise the units are held: stock goes down, the subscriber gets the lowest free slots
   (1..limit, so the database's unique (sale, subscriber, slot) key mirrors the limit), the
   units get the sale's lowest free unit numbers (1..units_total, so the database's unique
   (sale, unit number) key and its bound mirror the stock without a shared counter), and the
   reservation must be confirmed before `now + pay_ms`.

confirm (a payment arrived): HELD and in time -> CONFIRMED; HELD but at or past its deadline ->
the units go back (RETURNED), exactly as if the reaper had come first; anything else keeps its
state. expire (the reaper): a HELD reservation at or past its deadline goes back. release: a HELD
or CONFIRMED reservation goes back (RETURNED / RELEASED); a no-op when it is already gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class TakeCode(StrEnum):
    OK = "OK"
    NOT_LOADED = "NOT_LOADED"
    NOT_STARTED = "NOT_STARTED"
    ENDED = "ENDED"
    BOOKING_REQUIRED = "BOOKING_REQUIRED"
    LIMIT_REACHED = "LIMIT_REACHED"
    SOLD_OUT = "SOLD_OUT"


# answers that depend on the clock alone: never replayed
UNKEPT = frozenset({TakeCode.NOT_LOADED, TakeCode.NOT_STARTED, TakeCode.BOOKING_REQUIRED})


class HoldState(StrEnum):
    HELD = "HELD"
    CONFIRMED = "CONFIRMED"
    RETURNED = "RETURNED"  # given back unpaid: expired, released while held, paid too late
    RELEASED = "RELEASED"  # given back after it was confirmed (an order undone)
    UNKNOWN = "UNKNOWN"  # no such reservation


GONE = (HoldState.RETURNED, HoldState.RELEASED)


@dataclass(frozen=True)
class Terms:
    """What the scripts need to decide, loaded into Redis with the stock."""

    units_total: int
    per_subscriber_limit: int
    starts_ms: int
    ends_ms: int
    priority_ends_ms: int  # = starts_ms when there is no booking priority
    pay_ms: int
    cancelled: bool = False

    def __post_init__(self) -> None:
        if self.units_total < 0 or self.per_subscriber_limit < 1 or self.pay_ms < 1:
            raise ValueError("units >= 0, limit >= 1, pay window >= 1 ms")
        if not self.starts_ms <= self.priority_ends_ms <= self.ends_ms:
            raise ValueError("starts <= priority end <= ends")


@dataclass(frozen=True)
class TakeResult:
    code: TakeCode
    reservation_id: str | None = None
    units: tuple[int, ...] = ()  # the subscriber's slots, 1..limit
    deadline_ms: int | None = None
    numbers: tuple[int, ...] = ()  # the sale's unit numbers, 1..units_total

    @property
    def ok(self) -> bool:
        return self.code is TakeCode.OK


@dataclass
class Hold:
    reservation_id: str
    subscriber: str
    units: tuple[int, ...]
    deadline_ms: int
    numbers: tuple[int, ...]
    state: HoldState = HoldState.HELD


@dataclass
class FlashLedger:
    terms: Terms | None
    booked: set[str] = field(default_factory=set)
    stock: int = 0
    slots: dict[str, set[int]] = field(default_factory=dict)
    numbers: set[int] = field(default_factory=set)
    holds: dict[str, Hold] = field(default_factory=dict)
    answers: dict[tuple[str, str], TakeResult] = field(default_factory=dict)

    @classmethod
    def opened(cls, terms: Terms) -> FlashLedger:
        return cls(terms=terms, stock=terms.units_total)

    # --- take ---------------------------------------------------------------------------------

    def take(
        self, request_key: str, reservation_id: str, subscriber: str, quantity: int, now_ms: int
    ) -> TakeResult:
        if quantity < 1:
            raise ValueError("take at least one unit")
        t = self.terms
        if t is None:
            return TakeResult(TakeCode.NOT_LOADED)
        if (earlier := self.answers.get((subscriber, request_key))) is not None:
            return earlier
        result = self._decide(t, reservation_id, subscriber, quantity, now_ms)
        if result.code not in UNKEPT:
            self.answers[(subscriber, request_key)] = result
        return result

    def _decide(
        self, t: Terms, rid: str, subscriber: str, quantity: int, now_ms: int
    ) -> TakeResult:
        if now_ms < t.starts_ms:
            return TakeResult(TakeCode.NOT_STARTED)
        if t.cancelled or now_ms >= t.ends_ms:
            return TakeResult(TakeCode.ENDED)
        if now_ms < t.priority_ends_ms and subscriber not in self.booked:
            return TakeResult(TakeCode.BOOKING_REQUIRED)
        mine = self.slots.setdefault(subscriber, set())
        if len(mine) + quantity > t.per_subscriber_limit:
            return TakeResult(TakeCode.LIMIT_REACHED)
        if self.stock < quantity:
            return TakeResult(TakeCode.SOLD_OUT)
        units, numbers = lowest_free(mine, quantity), lowest_free(self.numbers, quantity)
        self.stock -= quantity
        mine.update(units)
        self.numbers.update(numbers)
        deadline = now_ms + t.pay_ms
        self.holds[rid] = Hold(rid, subscriber, units, deadline, numbers)
        return TakeResult(TakeCode.OK, rid, units, deadline, numbers)

    # --- settle -------------------------------------------------------------------------------

    def confirm(self, reservation_id: str, now_ms: int) -> HoldState | None:
        """The state afterwards; None (NOT_LOADED) when the terms are gone."""
        if self.terms is None:
            return None
        h = self.holds.get(reservation_id)
        if h is None:
            return HoldState.UNKNOWN
        if h.state is HoldState.HELD:
            if now_ms >= h.deadline_ms:
                self._give_back(h, HoldState.RETURNED)
            else:
                h.state = HoldState.CONFIRMED
        return h.state

    def expire(self, reservation_id: str, now_ms: int) -> HoldState | None:
        if self.terms is None:
            return None
        h = self.holds.get(reservation_id)
        if h is None:
            return HoldState.UNKNOWN
        if h.state is HoldState.HELD and now_ms >= h.deadline_ms:
            self._give_back(h, HoldState.RETURNED)
        return h.state

    def release(self, reservation_id: str) -> HoldState | None:
        if self.terms is None:
            return None
        h = self.holds.get(reservation_id)
        if h is None:
            return HoldState.UNKNOWN
        if h.state is HoldState.HELD:
            self._give_back(h, HoldState.RETURNED)
        elif h.state is HoldState.CONFIRMED:
            self._give_back(h, HoldState.RELEASED)
        return h.state

    def due(self, now_ms: int) -> list[str]:
        return sorted(
            h.reservation_id
            for h in self.holds.values()
            if h.state is HoldState.HELD and h.deadline_ms <= now_ms
        )

    # --- what Redis loses and the database rebuilds ------------------------------------------

    def lose_everything(self) -> None:
        """Redis restarted with no persistence."""
        self.terms = None
        self.booked, self.stock, self.slots, self.holds, self.answers = set(), 0, {}, {}, {}
        self.numbers = set()

    def rebuilt(self, terms: Terms, booked: set[str], kept: list[Hold], requests) -> None:
        """Load the terms with what the database keeps: held and paid reservations (stock =
        total - held - paid) and the request keys that made them (so they replay)."""
        self.terms = terms
        self.booked = set(booked)
        self.holds = {h.reservation_id: replace(h) for h in kept}
        self.slots, self.numbers = {}, set()
        for h in kept:
            self.slots.setdefault(h.subscriber, set()).update(h.units)
            self.numbers.update(h.numbers)
        self.stock = terms.units_total - sum(len(h.units) for h in kept)
        self.answers = {
            (h.subscriber, key): TakeResult(
                TakeCode.OK, h.reservation_id, h.units, h.deadline_ms, h.numbers
            )
            for key, h in requests
        }

    # --- reading ------------------------------------------------------------------------------

    @property
    def held(self) -> int:
        return sum(len(h.units) for h in self.holds.values() if h.state is HoldState.HELD)

    @property
    def confirmed(self) -> int:
        return sum(len(h.units) for h in self.holds.values() if h.state is HoldState.CONFIRMED)

    def units_of(self, subscriber: str) -> set[int]:
        return set(self.slots.get(subscriber, set()))

    def _give_back(self, h: Hold, state: HoldState) -> None:
        self.stock += len(h.units)
        self.slots[h.subscriber].difference_update(h.units)
        self.numbers.difference_update(h.numbers)
        h.state = state


def lowest_free(used: set[int], quantity: int) -> tuple[int, ...]:
    """The `quantity` smallest numbers from 1 up that `used` does not hold."""
    found: list[int] = []
    n = 1
    while len(found) < quantity:
        if n not in used:
            found.append(n)
        n += 1
    return tuple(found)
