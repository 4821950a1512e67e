"""A flash sale's terms as marketing sets them, the checks on them, its status at an instant,
and the answer codes customers see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from domain.calendar import as_utc
from domain.errors import fail
from domain.flash.ledger import TakeCode, Terms
from domain.promotions.schedule import micros

DEFAULT_PAY_WITHIN_SECONDS = 900  # 15 minutes, the business policy
MAX_UNITS = 10_000_000
MAX_LIMIT = 100
MAX_PRIORITY_MINUTES = 24 * 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ADDRESS = 200


class ItemKind(StrEnum):
    PLAN = "PLAN"
    PACK = "PACK"
    DEVICE = "DEVICE"
    MALL_ITEM = "MALL_ITEM"


class SaleStatus(StrEnum):
    BOOKING = "BOOKING"  # booking is open, selling has not started
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    SOLD_OUT = "SOLD_OUT"
    ENDED = "ENDED"
    CANCELLED = "CANCELLED"


PRICED_BY_CAMPAIGN = -1  # `sale_price_fen` of terms whose price the campaign decides


@dataclass(frozen=True)
class SaleTerms:
    name: str
    item_kind: ItemKind
    item_id: str
    sale_price_fen: int
    units_total: int
    per_subscriber_limit: int
    starts_at: datetime
    ends_at: datetime
    pay_within_seconds: int = DEFAULT_PAY_WITHIN_SECONDS
    booking_opens_at: datetime | None = None
    priority_minutes: int = 0
    # priced by this campaign through the promotions engine; `sale_price_fen` is then the
    # engine's price of one unit at the sale's start (shown), PRICED_BY_CAMPAIGN before that
    campaign_id: str | None = None

    @property
    def priority_ends_at(self) -> datetime:
        return min(self.starts_at + timedelta(minutes=self.priority_minutes), self.ends_at)


def check_terms(t: SaleTerms) -> SaleTerms:
    """Raise INVALID_FLASH_SALE naming the first bad field; return the terms in UTC."""

    def bad(message: str, field: str):
        return fail("INVALID_FLASH_SALE", message, field)

    if not t.name.strip() or len(t.name) > 128:
        raise bad("A name of 1 to 128 characters.", "name")
    if not t.item_id.strip() or len(t.item_id) > 64:
        raise bad("Name the item sold.", "itemId")
    campaign_id = (t.campaign_id or "").strip() or None
    if campaign_id is not None and t.sale_price_fen != PRICED_BY_CAMPAIGN:
        raise bad("Give salePriceFen or campaignId, not both.", "campaignId")
    if campaign_id is None and t.sale_price_fen == PRICED_BY_CAMPAIGN:
        raise bad("Give salePriceFen or campaignId.", "salePriceFen")
    if campaign_id is None and not 0 <= t.sale_price_fen <= 100_000_000:
        raise bad("The sale price is 0 to 100000000 fen.", "salePriceFen")
    if not 1 <= t.units_total <= MAX_UNITS:
        raise bad(f"Sell 1 to {MAX_UNITS} units.", "unitsTotal")
    if not 1 <= t.per_subscriber_limit <= MAX_LIMIT:
        raise bad(f"The per-subscriber limit is 1 to {MAX_LIMIT}.", "perSubscriberLimit")
    starts, ends = as_utc(t.starts_at), as_utc(t.ends_at)
    if ends <= starts:
        raise bad("The sale ends after it starts.", "endsAt")
    if not 60 <= t.pay_within_seconds <= 24 * 3600:
        raise bad("Payment is due within 60 to 86400 seconds.", "payWithinSeconds")
    if not 0 <= t.priority_minutes <= MAX_PRIORITY_MINUTES:
        raise bad("Priority lasts 0 to 1440 minutes.", "priorityMinutes")
    opens = as_utc(t.booking_opens_at) if t.booking_opens_at else None
    if opens is not None and opens >= starts:
        raise bad("Booking opens before the sale starts.", "bookingOpensAt")
    if t.priority_minutes and opens is None:
        raise bad("Booking priority needs bookingOpensAt.", "priorityMinutes")
    return SaleTerms(
        t.name.strip(), t.item_kind, t.item_id.strip(), t.sale_price_fen, t.units_total,
        t.per_subscriber_limit, starts, ends, t.pay_within_seconds, opens, t.priority_minutes,
        campaign_id,
    )  # fmt: skip


def ms(instant: datetime) -> int:
    return micros(instant) // 1000


def from_ms(value: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=value)


def ledger_terms(t: SaleTerms, cancelled: bool) -> Terms:
    """The terms as the Redis scripts decide with them (milliseconds)."""
    return Terms(
        units_total=t.units_total,
        per_subscriber_limit=t.per_subscriber_limit,
        starts_ms=ms(t.starts_at),
        ends_ms=ms(t.ends_at),
        priority_ends_ms=ms(t.priority_ends_at),
        pay_ms=t.pay_within_seconds * 1000,
        cancelled=cancelled,
    )


def status_at(t: SaleTerms, cancelled: bool, remaining: int | None, now: datetime) -> SaleStatus:
    at = as_utc(now)
    if cancelled:
        return SaleStatus.CANCELLED
    if at >= t.ends_at:
        return SaleStatus.ENDED
    if at < t.starts_at:
        opens = t.booking_opens_at
        return SaleStatus.BOOKING if opens is not None and opens <= at else SaleStatus.SCHEDULED
    return SaleStatus.SOLD_OUT if remaining == 0 else SaleStatus.ACTIVE


def check_editable(t: SaleTerms, cancelled: bool, now: datetime) -> None:
    """Terms change only before selling starts: afterwards they are a promise to buyers."""
    if cancelled or as_utc(now) >= t.starts_at:
        raise fail(
            "FLASH_SALE_NOT_EDITABLE", "Only a sale that has not started can be changed.", "id"
        )


def check_bookable(t: SaleTerms, cancelled: bool, now: datetime) -> None:
    at = as_utc(now)
    if cancelled or at >= t.ends_at:
        raise fail("ENDED", "This flash sale has ended.", "id")
    if t.booking_opens_at is None:
        raise fail("BOOKING_NOT_OFFERED", "This flash sale takes no bookings.", "id")
    if at < t.booking_opens_at:
        raise fail("BOOKING_NOT_OPEN", "Booking has not opened yet.", "id")
    if at >= t.starts_at:
        raise fail("BOOKING_CLOSED", "Booking closed when the sale started.", "id")


def check_quantity(quantity: int, t: SaleTerms) -> int:
    if not 1 <= quantity <= t.per_subscriber_limit:
        raise fail(
            "INVALID_QUANTITY",
            f"Buy 1 to {t.per_subscriber_limit} units.",
            "quantity",
        )
    return quantity


def check_address(kind: ItemKind, address: str | None) -> str | None:
    """Devices are shipped: they need an address; nothing else keeps one."""
    if kind is not ItemKind.DEVICE:
        return None
    cleaned = (address or "").strip()
    if not 5 <= len(cleaned) <= MAX_ADDRESS:
        raise fail("SHIPPING_ADDRESS_REQUIRED", "Give a shipping address (5 to 200 characters).",
                   "shippingAddress")  # fmt: skip
    return cleaned


def check_eligible(active: bool, needs_5g: bool, has_5g_device: bool) -> None:
    """NOT_ELIGIBLE: a suspended or closed number, or a 5G plan for a number without a 5G
    device on record."""
    if not active:
        raise fail("NOT_ELIGIBLE", "Only an active number may buy in a flash sale.", "flashSaleId")
    if needs_5g and not has_5g_device:
        raise fail(
            "NOT_ELIGIBLE", "This is a 5G plan: we have no 5G device on record.", "flashSaleId"
        )


REFUSALS = {
    TakeCode.SOLD_OUT: "Sold out: every unit is taken (unpaid ones may come back).",
    TakeCode.LIMIT_REACHED: "You have reached this sale's limit per subscriber.",
    TakeCode.NOT_STARTED: "This flash sale has not started yet.",
    TakeCode.ENDED: "This flash sale has ended.",
    TakeCode.BOOKING_REQUIRED: "Only subscribers who booked may buy in the first minutes.",
}


def refusal(code: TakeCode):
    """The DomainError for a refused take."""
    return fail(code.value, REFUSALS[code], "flashSaleId")


class ReservationStatus(StrEnum):
    HELD = "HELD"  # taken, waiting for payment until pay_by
    PAID = "PAID"
    EXPIRED = "EXPIRED"  # unpaid at pay_by, back in stock
    RELEASED = "RELEASED"  # given back (the order could not be recorded)


PAID_AFTER_DEADLINE = "PAID_AFTER_DEADLINE"  # the refund reason of a payment that came too late
