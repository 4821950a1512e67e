"""Festivals and campaigns as marketing configures them: frozen dataclasses that persist as JSON.

Every field is a str, int, bool, aware datetime, StrEnum or a tuple of those, so `codec` can turn a
campaign into JSON and back without loss, and the GraphQL layer can map fields one to one.

Validation happens on construction and raises `DomainError` with code `INVALID_CAMPAIGN` (and the
offending field), so the create/update mutations get userErrors and stored data is always sound.
Fields that a benefit kind does not use must stay at their zero value: a `percent_bp` on an
AMOUNT_OFF benefit would be silently ignored, which is exactly the kind of surprise we refuse.

Status (`status_at`) is derived, never stored:
    DRAFT      the campaign is not published yet (`draft=True`);
    PAUSED     marketing pressed pause (`paused=True`); this wins over the window, because the
               engine names PAUSED before OUTSIDE_WINDOW and the two must tell the same story;
    SCHEDULED  published, before `starts_at`;
    ACTIVE     `starts_at <= t < ends_at` (half-open, compared as instants);
    ENDED      at or after `ends_at`.
A campaign cannot be both a draft and paused.

Windows are instants; "May 15–21" in the business calendar is `shanghai_days(May 15, May 21)`,
i.e. [May 15 00:00 Asia/Shanghai, May 22 00:00 Asia/Shanghai).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.calendar import SHANGHAI, as_utc, months_between
from domain.errors import fail
from domain.money import BP_WHOLE
from domain.pricing import CartLine, Channel, OfferingKind, SubscriberProfile

# Recurring terms are bounded so a quote (and a budget) can always count a term's months.
MAX_TERM_MONTHS = 36

PACK_KINDS = frozenset(
    {OfferingKind.DATA, OfferingKind.VOICE, OfferingKind.SMS, OfferingKind.VAS, OfferingKind.ADDON}
)


class CampaignStatus(StrEnum):
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ENDED = "ENDED"


class StackingRule(StrEnum):
    EXCLUSIVE = "EXCLUSIVE"
    STACKABLE = "STACKABLE"
    STOP_AFTER = "STOP_AFTER"


class BenefitKind(StrEnum):
    PERCENT_OFF = "PERCENT_OFF"
    AMOUNT_OFF = "AMOUNT_OFF"
    FIXED_PRICE = "FIXED_PRICE"
    RECURRING = "RECURRING"
    FREE_TRIAL = "FREE_TRIAL"
    GIFT = "GIFT"
    POINTS_MULTIPLIER = "POINTS_MULTIPLIER"


class Segment(StrEnum):
    ANY = "ANY"
    NEW = "NEW"
    EXISTING = "EXISTING"


class RejectionReason(StrEnum):
    """Why a campaign that targets the cart did not apply; a quote names the first that fails."""

    PAUSED = "PAUSED"
    OUTSIDE_WINDOW = "OUTSIDE_WINDOW"
    CHANNEL = "CHANNEL"
    AUDIENCE = "AUDIENCE"
    CAP_REACHED = "CAP_REACHED"
    NOT_COMBINABLE = "NOT_COMBINABLE"
    BELOW_FLOOR = "BELOW_FLOOR"


def _invalid(field_name: str, message: str) -> Exception:
    return fail("INVALID_CAMPAIGN", message, field_name)


def _coerce(obj: object, name: str, value: object) -> None:
    """Frozen dataclasses built from JSON get lists and plain strings; store tuples and enums."""
    object.__setattr__(obj, name, value)


def _require_aware(value: datetime, field_name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise _invalid(field_name, "must be a timezone-aware instant")


def shanghai_days(first: date, last: date) -> tuple[datetime, datetime]:
    """The half-open window covering whole business days `first`..`last` inclusive."""
    if last < first:
        raise ValueError("last day is before the first")
    start = datetime(first.year, first.month, first.day, tzinfo=SHANGHAI)
    after = last + timedelta(days=1)
    end = datetime(after.year, after.month, after.day, tzinfo=SHANGHAI)
    return as_utc(start), as_utc(end)


@dataclass(frozen=True)
class Festival:
    id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""

    def __post_init__(self) -> None:
        if not self.id or not self.name:
            raise _invalid("name", "a festival needs an id and a name")
        _require_aware(self.starts_at, "starts_at")
        _require_aware(self.ends_at, "ends_at")
        if self.starts_at >= self.ends_at:
            raise _invalid("ends_at", "a festival ends after it starts")


@dataclass(frozen=True)
class Audience:
    """Who may have the benefit. Empty tuples mean "anyone"; anonymous callers are EXISTING."""

    segment: Segment = Segment.ANY
    min_tenure_months: int = 0
    plan_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _coerce(self, "segment", Segment(self.segment))
        _coerce(self, "plan_ids", tuple(self.plan_ids))
        _coerce(self, "regions", tuple(self.regions))
        if self.min_tenure_months < 0:
            raise _invalid("audience.min_tenure_months", "tenure is never negative")

    def admits(self, profile: SubscriberProfile) -> bool:
        if self.segment is Segment.NEW and not profile.new_subscriber:
            return False
        if self.segment is Segment.EXISTING and profile.new_subscriber:
            return False
        if profile.tenure_months < self.min_tenure_months:
            return False
        if self.plan_ids and profile.plan_id not in self.plan_ids:
            return False
        return not self.regions or profile.region in self.regions


@dataclass(frozen=True)
class Targets:
    """What a campaign prices. Ids are matched within their own family so a plan id never
    matches a pack that happens to share it; `kinds` matches every line of a kind (a pack kind,
    RECHARGE, PLAN or MALL_ITEM)."""

    plan_ids: tuple[str, ...] = ()
    pack_ids: tuple[str, ...] = ()
    kinds: tuple[OfferingKind, ...] = ()
    mall_item_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _coerce(self, "plan_ids", tuple(self.plan_ids))
        _coerce(self, "pack_ids", tuple(self.pack_ids))
        _coerce(self, "kinds", tuple(OfferingKind(k) for k in self.kinds))
        _coerce(self, "mall_item_ids", tuple(self.mall_item_ids))
        if not (self.plan_ids or self.pack_ids or self.kinds or self.mall_item_ids):
            raise _invalid("targets", "a campaign must target something")

    def matches(self, line: CartLine) -> bool:
        if line.kind in self.kinds:
            return True
        if line.kind is OfferingKind.PLAN:
            return line.offering_id in self.plan_ids
        if line.kind in PACK_KINDS:
            return line.offering_id in self.pack_ids
        if line.kind is OfferingKind.MALL_ITEM:
            return line.offering_id in self.mall_item_ids
        return False


@dataclass(frozen=True)
class Benefit:
    """One benefit per campaign. Build them with the named constructors below.

    percent_bp       basis points off (PERCENT_OFF, or RECURRING by percent), 1..10000
    amount_fen       fen off the matched lines together (AMOUNT_OFF, or RECURRING by amount)
    fixed_price_fen  the price each matched line becomes if that is lower (FIXED_PRICE)
    months / until   a RECURRING term: N monthly fees, or every month that starts before `until`;
                     FREE_TRIAL always uses `until`
    gift_item        what GIFT attaches, one per matched line
    multiplier_bp    points multiplier in basis points of 1x, above 10000 (POINTS_MULTIPLIER)
    """

    kind: BenefitKind
    percent_bp: int = 0
    amount_fen: int = 0
    fixed_price_fen: int = 0
    months: int = 0
    until: datetime | None = None
    gift_item: str = ""
    multiplier_bp: int = 0

    @classmethod
    def percent_off(cls, basis_points: int) -> Benefit:
        return cls(BenefitKind.PERCENT_OFF, percent_bp=basis_points)

    @classmethod
    def amount_off(cls, fen: int) -> Benefit:
        return cls(BenefitKind.AMOUNT_OFF, amount_fen=fen)

    @classmethod
    def fixed_price(cls, fen: int) -> Benefit:
        return cls(BenefitKind.FIXED_PRICE, fixed_price_fen=fen)

    @classmethod
    def recurring(
        cls,
        *,
        percent_bp: int = 0,
        amount_fen: int = 0,
        months: int = 0,
        until: datetime | None = None,
    ) -> Benefit:
        return cls(
            BenefitKind.RECURRING,
            percent_bp=percent_bp,
            amount_fen=amount_fen,
            months=months,
            until=until,
        )

    @classmethod
    def free_trial(cls, until: datetime) -> Benefit:
        return cls(BenefitKind.FREE_TRIAL, until=until)

    @classmethod
    def gift(cls, item: str) -> Benefit:
        return cls(BenefitKind.GIFT, gift_item=item)

    @classmethod
    def points_multiplier(cls, multiplier_bp: int) -> Benefit:
        return cls(BenefitKind.POINTS_MULTIPLIER, multiplier_bp=multiplier_bp)

    @property
    def changes_price(self) -> bool:
        return self.kind not in (BenefitKind.GIFT, BenefitKind.POINTS_MULTIPLIER)

    def __post_init__(self) -> None:
        kind = BenefitKind(self.kind)
        _coerce(self, "kind", kind)
        used = _FIELDS_USED[kind]
        for name in _BENEFIT_FIELDS:
            if name not in used and getattr(self, name) != _ZERO[name]:
                raise _invalid(f"benefit.{name}", f"{kind} does not use {name}")
        if "percent_bp" in used and self.percent_bp and not 1 <= self.percent_bp <= BP_WHOLE:
            raise _invalid("benefit.percent_bp", "a percentage is 1..10000 basis points")
        if self.amount_fen < 0 or self.fixed_price_fen < 0 or self.months < 0:
            raise _invalid("benefit", "amounts and months are never negative")
        if kind is BenefitKind.PERCENT_OFF and not self.percent_bp:
            raise _invalid("benefit.percent_bp", "PERCENT_OFF needs percent_bp")
        if kind is BenefitKind.AMOUNT_OFF and not self.amount_fen:
            raise _invalid("benefit.amount_fen", "AMOUNT_OFF needs a positive amount_fen")
        if kind is BenefitKind.RECURRING:
            if bool(self.percent_bp) == bool(self.amount_fen):
                raise _invalid("benefit", "RECURRING takes either percent_bp or amount_fen")
            if bool(self.months) == (self.until is not None):
                raise _invalid("benefit", "RECURRING runs either for months or until a date")
            if self.months > MAX_TERM_MONTHS:
                raise _invalid("benefit.months", f"a term is at most {MAX_TERM_MONTHS} months")
        if kind in (BenefitKind.RECURRING, BenefitKind.FREE_TRIAL) and self.until is not None:
            _require_aware(self.until, "benefit.until")
        if kind is BenefitKind.FREE_TRIAL and self.until is None:
            raise _invalid("benefit.until", "FREE_TRIAL needs an until date")
        if kind is BenefitKind.GIFT and not self.gift_item:
            raise _invalid("benefit.gift_item", "GIFT needs an item")
        if kind is BenefitKind.POINTS_MULTIPLIER and self.multiplier_bp <= BP_WHOLE:
            raise _invalid("benefit.multiplier_bp", "a multiplier is above 10000 (1x)")


_BENEFIT_FIELDS = (
    "percent_bp",
    "amount_fen",
    "fixed_price_fen",
    "months",
    "until",
    "gift_item",
    "multiplier_bp",
)
_ZERO = {name: 0 for name in _BENEFIT_FIELDS} | {"until": None, "gift_item": ""}
_FIELDS_USED = {
    BenefitKind.PERCENT_OFF: {"percent_bp"},
    BenefitKind.AMOUNT_OFF: {"amount_fen"},
    BenefitKind.FIXED_PRICE: {"fixed_price_fen"},
    BenefitKind.RECURRING: {"percent_bp", "amount_fen", "months", "until"},
    BenefitKind.FREE_TRIAL: {"until"},
    BenefitKind.GIFT: {"gift_item"},
    BenefitKind.POINTS_MULTIPLIER: {"multiplier_bp"},
}


@dataclass(frozen=True)
class Stacking:
    """How a campaign shares a cart line with others (see `domain.promotions.stacking`)."""

    rule: StackingRule = StackingRule.STACKABLE
    combines_with: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _coerce(self, "rule", StackingRule(self.rule))
        _coerce(self, "combines_with", tuple(self.combines_with))


@dataclass(frozen=True)
class Caps:
    """None means unlimited. Units count cart lines a campaign applies to."""

    units_total: int | None = None
    per_subscriber: int | None = None
    budget_fen: int | None = None

    def __post_init__(self) -> None:
        for name in ("units_total", "per_subscriber", "budget_fen"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise _invalid(f"caps.{name}", "a cap is never negative")

    @property
    def any(self) -> bool:
        return (
            self.units_total is not None
            or self.per_subscriber is not None
            or self.budget_fen is not None
        )


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    targets: Targets
    benefit: Benefit
    description: str = ""
    festival_id: str | None = None
    channels: tuple[Channel, ...] = (Channel.WEB, Channel.APP)
    audience: Audience = field(default_factory=Audience)
    priority: int = 0
    stacking: Stacking = field(default_factory=Stacking)
    caps: Caps = field(default_factory=Caps)
    floor_fen: int | None = None  # this campaign never takes a line below this price
    draft: bool = False
    paused: bool = False

    def __post_init__(self) -> None:
        _coerce(self, "channels", tuple(Channel(c) for c in self.channels))
        if not self.id or not self.name:
            raise _invalid("name", "a campaign needs an id and a name")
        _require_aware(self.starts_at, "starts_at")
        _require_aware(self.ends_at, "ends_at")
        if self.starts_at >= self.ends_at:
            raise _invalid("ends_at", "a campaign ends after it starts")
        if not self.channels:
            raise _invalid("channels", "a campaign runs on at least one channel")
        if self.floor_fen is not None and self.floor_fen < 0:
            raise _invalid("floor_fen", "a price floor is never negative")
        if self.id in self.stacking.combines_with:
            raise _invalid("stacking.combines_with", "a campaign does not combine with itself")
        if self.draft and self.paused:
            raise _invalid("paused", "a draft cannot be paused; publish it first")
        until = self.benefit.until
        if until is not None:
            if until <= self.starts_at:
                raise _invalid("benefit.until", "the benefit would end before the campaign starts")
            if months_between(self.ends_at, until) > MAX_TERM_MONTHS:
                raise _invalid(
                    "benefit.until", f"at most {MAX_TERM_MONTHS} months after the campaign ends"
                )

    def active_at(self, instant: datetime) -> bool:
        return status_at(self, instant) is CampaignStatus.ACTIVE


def status_at(item: Campaign | Festival, instant: datetime) -> CampaignStatus:
    """A campaign's or a festival's status at `instant`; a festival is never a draft nor paused,
    so its window alone decides (SCHEDULED, ACTIVE or ENDED)."""
    if isinstance(item, Campaign):
        if item.draft:
            return CampaignStatus.DRAFT
        if item.paused:
            return CampaignStatus.PAUSED
    t = as_utc(instant)
    if t < item.starts_at:
        return CampaignStatus.SCHEDULED
    if t >= item.ends_at:
        return CampaignStatus.ENDED
    return CampaignStatus.ACTIVE
