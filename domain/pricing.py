"""The shape every price in the hall takes: a cart of lines in, a quote that explains itself out.

Orders keep a quote as their pricing snapshot. `list_quote` prices without promotions; the
promotions engine (`domain.promotions`) produces the same `Quote` with adjustments and rejections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.calendar import add_months, local
from domain.points.earning import points_for


class Channel(StrEnum):
    WEB = "WEB"
    APP = "APP"


class OfferingKind(StrEnum):
    PLAN = "PLAN"
    DATA = "DATA"
    VOICE = "VOICE"
    SMS = "SMS"
    VAS = "VAS"
    ADDON = "ADDON"
    RECHARGE = "RECHARGE"
    MALL_ITEM = "MALL_ITEM"
    DEVICE = "DEVICE"  # a phone or accessory


@dataclass(frozen=True)
class CartLine:
    offering_id: str
    kind: OfferingKind
    name: str
    list_price_fen: int
    recurring: bool  # a monthly fee (plan, combo pack) rather than a one-off charge

    def __post_init__(self) -> None:
        if self.list_price_fen < 0:
            raise ValueError("a list price is never negative")


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...]

    @property
    def list_price_fen(self) -> int:
        return sum(line.list_price_fen for line in self.lines)


@dataclass(frozen=True)
class SubscriberProfile:
    """What an audience rule may look at; anonymous callers price as an unknown existing one."""

    subscriber_id: str | None = None
    new_subscriber: bool = False
    tenure_months: int = 0
    plan_id: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Adjustment:
    campaign_id: str
    name: str
    amount_fen: int  # the discount this campaign gives on this line, >= 0


@dataclass(frozen=True)
class Rejection:
    campaign_id: str
    name: str
    reason: (
        str  # OUTSIDE_WINDOW, CHANNEL, AUDIENCE, CAP_REACHED, NOT_COMBINABLE, BELOW_FLOOR, PAUSED
    )


@dataclass(frozen=True)
class Gift:
    campaign_id: str
    name: str
    item: str


@dataclass(frozen=True)
class AppliedCampaign:
    """A campaign that shaped a quote, and what an order placed on the quote takes from its caps."""

    campaign_id: str
    name: str
    units: int  # cart lines it applied to
    spend_fen: int  # discount it grants over its whole term: this order plus later monthly fees


@dataclass(frozen=True)
class LineQuote:
    offering_id: str
    kind: OfferingKind
    name: str
    list_price_fen: int
    final_price_fen: int
    recurring: bool
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True)
class MonthPrice:
    month: str  # YYYY-MM, business calendar
    price_fen: int


@dataclass(frozen=True)
class Quote:
    lines: tuple[LineQuote, ...]
    effective_from: datetime
    schedule: tuple[MonthPrice, ...]
    points_to_earn: int
    rejected: tuple[Rejection, ...] = ()
    gifts: tuple[Gift, ...] = ()
    campaign_units: tuple[str, ...] = field(default=())  # campaigns whose caps an order must take
    applied: tuple[AppliedCampaign, ...] = ()  # every campaign that applied, in application order

    @property
    def list_price_fen(self) -> int:
        return sum(line.list_price_fen for line in self.lines)

    @property
    def final_price_fen(self) -> int:
        return sum(line.final_price_fen for line in self.lines)

    @property
    def discount_fen(self) -> int:
        return self.list_price_fen - self.final_price_fen


SCHEDULE_MONTHS = 12


def month_labels(effective_from: datetime, months: int = SCHEDULE_MONTHS) -> list[str]:
    here = local(effective_from)
    labels = []
    for i in range(months):
        y, m = add_months(here.year, here.month, i)
        labels.append(f"{y:04d}-{m:02d}")
    return labels


def flat_schedule(lines: tuple[LineQuote, ...], effective_from: datetime) -> tuple[MonthPrice, ...]:
    """Recurring lines bill every month; one-off lines only in the first."""
    recurring = sum(line.final_price_fen for line in lines if line.recurring)
    once = sum(line.final_price_fen for line in lines if not line.recurring)
    return tuple(
        MonthPrice(month, recurring + (once if i == 0 else 0))
        for i, month in enumerate(month_labels(effective_from))
    )


def list_quote(cart: Cart, effective_from: datetime) -> Quote:
    """The price with no promotions applied: final equals list on every line."""
    lines = tuple(
        LineQuote(
            offering_id=line.offering_id,
            kind=line.kind,
            name=line.name,
            list_price_fen=line.list_price_fen,
            final_price_fen=line.list_price_fen,
            recurring=line.recurring,
        )
        for line in cart.lines
    )
    final = sum(line.final_price_fen for line in lines)
    return Quote(
        lines=lines,
        effective_from=effective_from,
        schedule=flat_schedule(lines, effective_from),
        points_to_earn=points_for(final),
    )
