"""Rating: a usage event meets the subscriber's allowance buckets and the overflow meets the rates.

Pure and deterministic, so every figure the hall shows (remaining allowance, record charges, bill
overage lines, balance drops) derives from this one place.

Units and rounding, declared once:
- VOICE: each outgoing call is rounded UP to whole minutes (a 61 s call is 2 minutes); incoming
  calls are free (国内接听免费) and draw nothing. Overflow minutes × `voice_fen_per_minute`.
- SMS: each outgoing message draws one from the SMS allowance, overflow × `sms_fen_per_message`.
  Incoming messages are free. MMS draws no allowance: every outgoing MMS costs
  `mms_fen_per_message`.
- DATA: a session's bytes are rounded UP to whole KB (1 KB = 1024 bytes), then drawn from DATA
  buckets (KB). The overflow is charged pro rata per KB, with ONE rounding (half-up, through
  `domain.money.div_half_up`) applied to the cycle's CUMULATIVE overflow: the charge of a record is
  `round(rate × (before + overflow) / 1024) − round(rate × before / 1024)` where `before` is the
  cycle's data overflow rated earlier. The records of a cycle therefore add up to exactly
  `round(rate × total_overflow_kb / 1024)`: no per-record rounding drift, and the order of
  events does not change the cycle total.
- WLAN: rounded up to whole minutes per session, `wlan_fen_per_minute`, no allowance.
- VALUE_ADDED: the service provider's charge (`amount_fen`) is passed through, no allowance.
- ROAMING (an event with a `roaming_zone`): only that zone's roaming packs are drawn; the overflow
  is charged at the zone's roaming rates (`RoamingRate`, the catalog's rate table), not at
  domestic pay-as-you-go. Roaming data follows the same cumulative rounding, kept per cycle AND
  zone (`overflow_key`), so domestic and roaming overflow never share a rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from domain.allowances import KB_PER_MB, AllowanceKind
from domain.calendar import as_utc, cycle_of
from domain.money import div_half_up

BYTES_PER_KB = 1024
SECONDS_PER_MINUTE = 60


class UsageKind(StrEnum):
    VOICE = "VOICE"
    SMS = "SMS"
    MMS = "MMS"
    DATA = "DATA"
    VALUE_ADDED = "VALUE_ADDED"
    WLAN = "WLAN"


class Direction(StrEnum):
    OUT = "OUT"  # 主叫 / 发送: charged
    IN = "IN"  # 被叫 / 接收: free


class DataCategory(StrEnum):
    VIDEO = "VIDEO"
    SOCIAL = "SOCIAL"
    MUSIC = "MUSIC"
    GAME = "GAME"
    BROWSING = "BROWSING"
    SHOPPING = "SHOPPING"
    NAVIGATION = "NAVIGATION"
    CLOUD = "CLOUD"
    OTHER = "OTHER"


# Which allowance a usage kind draws from; MMS, VALUE_ADDED and WLAN draw none.
ALLOWANCE_OF: dict[UsageKind, AllowanceKind] = {
    UsageKind.VOICE: AllowanceKind.VOICE,
    UsageKind.SMS: AllowanceKind.SMS,
    UsageKind.DATA: AllowanceKind.DATA,
}


@dataclass(frozen=True)
class RoamingRate:
    """What usage beyond a roaming pack costs in one roaming zone, in fen."""

    zone: str
    data_fen_per_mb: int
    voice_fen_per_minute: int
    sms_fen_per_message: int

    def __post_init__(self) -> None:
        if min(self.data_fen_per_mb, self.voice_fen_per_minute, self.sms_fen_per_message) < 0:
            raise ValueError("a roaming rate is never negative")


# A zone missing from the rate table (a new destination not yet priced) costs the dearest zone's
# rates at least, never less than at home.
FALLBACK_ROAMING = RoamingRate("*", 300, 299, 100)


@dataclass(frozen=True)
class Rates:
    """Pay-as-you-go rates in fen (DESIGN §4). A plan may override any of them. `roaming` is the
    catalog's per-zone roaming rate table."""

    voice_fen_per_minute: int = 15
    sms_fen_per_message: int = 10
    mms_fen_per_message: int = 30
    data_fen_per_mb: int = 30
    wlan_fen_per_minute: int = 5
    roaming: tuple[RoamingRate, ...] = ()

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            if name != "roaming" and getattr(self, name) < 0:
                raise ValueError(f"{name} is never negative")

    def for_zone(self, zone: str | None) -> Rates:
        """The rates usage in `zone` is charged at (self at home)."""
        if not zone:
            return self
        rate = next((r for r in self.roaming if r.zone == zone), None)
        if rate is None:
            rate = max((*self.roaming, FALLBACK_ROAMING), key=lambda r: r.data_fen_per_mb)
        return replace(
            self,
            data_fen_per_mb=rate.data_fen_per_mb,
            voice_fen_per_minute=rate.voice_fen_per_minute,
            sms_fen_per_message=rate.sms_fen_per_message,
            mms_fen_per_message=max(self.mms_fen_per_message, rate.sms_fen_per_message),
            roaming=(),
        )

    def with_roaming(self, table: Iterable[RoamingRate]) -> Rates:
        return replace(self, roaming=tuple(table))

    @classmethod
    def with_overrides(cls, overrides: dict | None) -> Rates:
        """Defaults with a plan's overrides (unknown keys and non-integers are ignored)."""
        if not overrides:
            return cls()
        known = {
            k: v
            for k, v in overrides.items()
            if k in cls.__dataclass_fields__ and isinstance(v, int) and v >= 0
        }
        return cls(**known)


DEFAULT_RATES = Rates()


@dataclass(frozen=True)
class UsageEvent:
    """One mediation record. Only the fields of its kind matter."""

    event_id: str
    kind: UsageKind
    occurred_at: datetime
    direction: Direction = Direction.OUT
    seconds: int = 0
    count: int = 0
    bytes: int = 0
    amount_fen: int = 0
    category: DataCategory | None = None
    counterparty: str | None = None
    service_name: str | None = None  # VALUE_ADDED service, or the app DATA traffic belongs to
    location: str | None = None
    roaming_zone: str | None = None  # roaming destination code (HMT, EU…); None = at home

    @property
    def cycle(self) -> str:
        return cycle_of(self.occurred_at)


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def billable_quantity(event: UsageEvent) -> int:
    """What the event uses, in its allowance's base unit (minutes, messages, KB)."""
    kind = event.kind
    if kind is UsageKind.VOICE:
        if event.direction is Direction.IN:
            return 0
        return ceil_div(event.seconds, SECONDS_PER_MINUTE)
    if kind in (UsageKind.SMS, UsageKind.MMS):
        return 0 if event.direction is Direction.IN else event.count
    if kind is UsageKind.DATA:
        return ceil_div(event.bytes, BYTES_PER_KB)
    if kind is UsageKind.WLAN:
        return ceil_div(event.seconds, SECONDS_PER_MINUTE)
    return 0  # VALUE_ADDED is money, not quantity


@dataclass(frozen=True)
class BucketState:
    id: int
    kind: AllowanceKind
    total: int
    used: int
    valid_from: datetime
    valid_until: datetime
    source: str = "PLAN"
    source_name: str = ""
    scope: str | None = None  # None: any domestic use; APP:<app> or ROAM:<zone> (see scopes_for)

    @property
    def remaining(self) -> int:
        return max(self.total - self.used, 0)

    def valid_at(self, instant: datetime) -> bool:
        return as_utc(self.valid_from) <= as_utc(instant) < as_utc(self.valid_until)


@dataclass(frozen=True)
class Draw:
    bucket_id: int
    amount: int


@dataclass(frozen=True)
class Rating:
    quantity: int  # billable base units (minutes, messages, KB)
    draws: tuple[Draw, ...]
    overflow: int  # base units beyond allowances
    charge_fen: int

    @property
    def drawn(self) -> int:
        return sum(d.amount for d in self.draws)


HOME: frozenset[str | None] = frozenset({None})


def scopes_for(event: UsageEvent) -> frozenset[str | None]:
    """Which buckets may pay for an event. A directional pack (APP:<app>) pays only for its app's
    data at home; a roaming pack (ROAM:<zone>) only for use in its zone; plan and ordinary pack
    allowances (no scope) only for use at home."""
    if event.roaming_zone:
        return frozenset({f"ROAM:{event.roaming_zone}"})
    if event.kind is UsageKind.DATA and event.service_name:
        return frozenset({None, f"APP:{event.service_name}"})
    return HOME


def draw_order(
    buckets: Iterable[BucketState],
    kind: AllowanceKind,
    at: datetime,
    scopes: frozenset[str | None] = HOME,
) -> list[BucketState]:
    """The buckets an event may draw from: same kind, a scope the event allows, valid at `at`,
    with something left. Scoped buckets first (a directional pack before the plan), then the
    earliest `valid_until`, ties by id."""
    eligible = [
        b
        for b in buckets
        if b.kind is kind and b.scope in scopes and b.remaining > 0 and b.valid_at(at)
    ]
    return sorted(eligible, key=lambda b: (b.scope is None, as_utc(b.valid_until), b.id))


def draw(
    buckets: Iterable[BucketState],
    kind: AllowanceKind,
    quantity: int,
    at: datetime,
    scopes: frozenset[str | None] = HOME,
) -> tuple[tuple[Draw, ...], int]:
    """Draw `quantity` greedily; returns the draws and what is left over."""
    if quantity < 0:
        raise ValueError("quantity is never negative")
    left = quantity
    draws: list[Draw] = []
    for bucket in draw_order(buckets, kind, at, scopes):
        if left == 0:
            break
        take = min(left, bucket.remaining)
        draws.append(Draw(bucket.id, take))
        left -= take
    return tuple(draws), left


def data_charge(overflow_kb: int, rates: Rates = DEFAULT_RATES) -> int:
    """The declared rounding: a cycle's data overflow, pro rata per KB, half-up to the fen."""
    return div_half_up(overflow_kb * rates.data_fen_per_mb, KB_PER_MB)


def overflow_charge(
    kind: UsageKind, overflow: int, rates: Rates = DEFAULT_RATES, prior_data_overflow_kb: int = 0
) -> int:
    if overflow < 0 or prior_data_overflow_kb < 0:
        raise ValueError("overflow is never negative")
    if kind is UsageKind.VOICE:
        return overflow * rates.voice_fen_per_minute
    if kind is UsageKind.SMS:
        return overflow * rates.sms_fen_per_message
    if kind is UsageKind.MMS:
        return overflow * rates.mms_fen_per_message
    if kind is UsageKind.WLAN:
        return overflow * rates.wlan_fen_per_minute
    if kind is UsageKind.DATA:
        before = prior_data_overflow_kb
        return data_charge(before + overflow, rates) - data_charge(before, rates)
    return 0


def rate_event(
    event: UsageEvent,
    buckets: Sequence[BucketState],
    rates: Rates = DEFAULT_RATES,
    prior_data_overflow_kb: int = 0,
) -> Rating:
    """Rate one event against the buckets as they stand. `prior_data_overflow_kb` is the data
    overflow already rated in the event's cycle and zone (`overflow_key`, see the module's
    rounding rule)."""
    quantity = billable_quantity(event)
    if event.kind is UsageKind.VALUE_ADDED:
        return Rating(quantity=0, draws=(), overflow=0, charge_fen=event.amount_fen)
    allowance = ALLOWANCE_OF.get(event.kind)
    if allowance is None:
        draws: tuple[Draw, ...] = ()
        overflow = quantity
    else:
        draws, overflow = draw(buckets, allowance, quantity, event.occurred_at, scopes_for(event))
    zone_rates = rates.for_zone(event.roaming_zone)
    charge = overflow_charge(event.kind, overflow, zone_rates, prior_data_overflow_kb)
    return Rating(quantity=quantity, draws=draws, overflow=overflow, charge_fen=charge)


def apply_draws(buckets: Sequence[BucketState], draws: Iterable[Draw]) -> list[BucketState]:
    taken: dict[int, int] = {}
    for d in draws:
        taken[d.bucket_id] = taken.get(d.bucket_id, 0) + d.amount
    return [replace(b, used=b.used + taken[b.id]) if b.id in taken else b for b in buckets]


@dataclass
class RatingRun:
    """Rates events one after another, keeping buckets and per-cycle data overflow in memory.

    The database path and the demo seed both use this, so a batch is rated exactly as a sequence
    of single events would be."""

    buckets: list[BucketState]
    rates: Rates = DEFAULT_RATES
    # per `overflow_key` (cycle, or cycle/zone when roaming), rated so far
    data_overflow_kb: dict[str, int] = field(default_factory=dict)

    def rate(self, event: UsageEvent) -> Rating:
        key = overflow_key(event.cycle, event.roaming_zone)
        prior = self.data_overflow_kb.get(key, 0)
        rating = rate_event(event, self.buckets, self.rates, prior)
        self.buckets = apply_draws(self.buckets, rating.draws)
        if event.kind is UsageKind.DATA:
            self.data_overflow_kb[key] = prior + rating.overflow
        return rating


def overflow_key(cycle: str, roaming_zone: str | None) -> str:
    """Data overflow is rounded cumulatively per cycle at home and per cycle and zone roaming."""
    return f"{cycle}/{roaming_zone}" if roaming_zone else cycle


def rate_all(
    events: Iterable[UsageEvent], buckets: Sequence[BucketState], rates: Rates = DEFAULT_RATES
) -> tuple[list[Rating], list[BucketState]]:
    run = RatingRun(list(buckets), rates)
    ratings = [run.rate(e) for e in events]
    return ratings, run.buckets
