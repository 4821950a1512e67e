"""Monthly bills: what a cycle cost, line by line. The total is the sum of the lines, always.

Who pays what, when:
- usage overage and value-added charges are taken from the balance when rated (real time)
- packs are paid when bought (the catalog's order)
- the plan's monthly fee is taken at the billing run that closes the cycle (the only debit the
  run makes), so the bill shows all of them but the run charges only the fee.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.calendar import add_months, cycle_bounds, local, parse_cycle
from domain.rating import UsageKind

PENDING_DAYS = 2  # days 1–2 of a month: the previous cycle is 出账中 until the run


class BillStatus(StrEnum):
    OPEN = "OPEN"  # the current cycle: real-time charges so far, not a bill yet
    PENDING = "PENDING"  # ended, the billing run has not issued it yet (出账中)
    ISSUED = "ISSUED"


class BillItemKind(StrEnum):
    MONTHLY_FEE = "MONTHLY_FEE"
    PACK = "PACK"
    VOICE_OVERAGE = "VOICE_OVERAGE"
    SMS_OVERAGE = "SMS_OVERAGE"
    MMS = "MMS"
    DATA_OVERAGE = "DATA_OVERAGE"
    WLAN = "WLAN"
    VALUE_ADDED = "VALUE_ADDED"
    DISCOUNT = "DISCOUNT"


USAGE_ITEM: dict[UsageKind, tuple[BillItemKind, str]] = {
    UsageKind.VOICE: (BillItemKind.VOICE_OVERAGE, "语音通话超出套餐"),
    UsageKind.SMS: (BillItemKind.SMS_OVERAGE, "短信超出套餐"),
    UsageKind.MMS: (BillItemKind.MMS, "彩信"),
    UsageKind.DATA: (BillItemKind.DATA_OVERAGE, "上网流量超出套餐"),
    UsageKind.WLAN: (BillItemKind.WLAN, "WLAN上网"),
}


@dataclass(frozen=True)
class BillLine:
    kind: BillItemKind
    name: str
    amount_fen: int  # a discount is negative


@dataclass(frozen=True)
class PackCharge:
    name: str
    final_price_fen: int
    discount_fen: int = 0


def scheduled_fee(pricing: object, cycle: str) -> int | None:
    """What the quote an order was placed on promised for `cycle`'s monthly fee (its schedule),
    or None when the snapshot has no schedule for that month."""
    schedule = pricing.get("schedule") if isinstance(pricing, dict) else None
    for month in schedule or ():
        if isinstance(month, dict) and month.get("month") == cycle:
            price = month.get("price_fen")
            return price if isinstance(price, int) and price >= 0 else None
    return None


def compose_bill(
    *,
    plan_name: str | None,
    monthly_fee_fen: int,
    packs: Iterable[PackCharge] = (),
    usage_fen: Mapping[UsageKind, int] | None = None,
    value_added_fen: Mapping[str, int] | None = None,
    fee_discount_fen: int = 0,
) -> list[BillLine]:
    """The lines of a bill. A pack shows at its list price (final + discount) and its discount as
    a separate negative line, so the lines still sum to what was actually paid. A recurring
    promotion on the monthly fee is its own negative line (月费优惠)."""
    lines: list[BillLine] = []
    if plan_name is not None:
        lines.append(BillLine(BillItemKind.MONTHLY_FEE, f"套餐月费 {plan_name}", monthly_fee_fen))
        if fee_discount_fen:
            lines.append(BillLine(BillItemKind.DISCOUNT, "月费优惠", -fee_discount_fen))
    discount = 0
    for pack in packs:
        lines.append(
            BillLine(BillItemKind.PACK, pack.name, pack.final_price_fen + pack.discount_fen)
        )
        discount += pack.discount_fen
    for kind, (item_kind, name) in USAGE_ITEM.items():
        amount = (usage_fen or {}).get(kind, 0)
        if amount:
            lines.append(BillLine(item_kind, name, amount))
    for service, amount in sorted((value_added_fen or {}).items()):
        if amount:
            lines.append(BillLine(BillItemKind.VALUE_ADDED, f"增值业务 {service}", amount))
    if discount:
        lines.append(BillLine(BillItemKind.DISCOUNT, "优惠减免", -discount))
    return lines


def bill_total(lines: Iterable[BillLine]) -> int:
    return sum(line.amount_fen for line in lines)


def cycle_status(cycle: str, now: datetime, issued: bool) -> BillStatus:
    """OPEN while the cycle runs, ISSUED once billed, PENDING in between (days 1–2 normally)."""
    if issued:
        return BillStatus.ISSUED
    _, end = cycle_bounds(cycle)
    return BillStatus.OPEN if now < end else BillStatus.PENDING


def check_closable(cycle: str, now: datetime) -> tuple[datetime, datetime]:
    """A cycle may be closed once it has ended; returns its bounds."""
    start, end = cycle_bounds(cycle)
    if now < end:
        raise ValueError(f"cycle {cycle} has not ended yet")
    return start, end


def previous_cycles(now: datetime, count: int, include_current: bool = False) -> list[str]:
    """Newest first: the cycles before now's (and now's itself when asked)."""
    here = local(now)
    first = 0 if include_current else 1
    labels = []
    for back in range(first, first + count):
        y, m = add_months(here.year, here.month, -back)
        labels.append(f"{y:04d}-{m:02d}")
    return labels


def seed_close_due(cycle: str, now: datetime) -> bool:
    """The demo seed closes a cycle the way operations do: after the two pending days."""
    _, end = cycle_bounds(cycle)
    return now >= end + timedelta(days=PENDING_DAYS)


def cycle_label(cycle: str) -> str:
    year, month = parse_cycle(cycle)
    return f"{year}年{month}月"
