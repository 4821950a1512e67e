"""Monthly bills: what a cycle cost, line by line. The total is the sum of the lines, always.

Who pays what, when:
- usage overage and value-added charges are taken from the balance when rated (real time)
- packs are paid when bought (the catalog's order)
- the plan's monthly fee is taken at the billing run that closes the cycle (the only debit the
  run makes), so the bill shows all of them but the run charges only the fee.

Shared plans: a secondary member's usage is paid by the main number (debited from the main's
balance when rated, the record names the main as its payer), so it is billed on the main's bill,
as lines carrying the member's number, and not on the member's own: every rated charge is on
exactly one bill, that of its payer (`split_by_payer`).
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
    member_msisdn: str | None = None  # a shared-plan member's usage on the main's bill


@dataclass(frozen=True)
class UsageCharge:
    """What rated records of one number, one kind (one service for value-added) came to, and
    whose bill pays it: `payer` is None for the number itself, else the shared plan's main."""

    msisdn: str
    kind: UsageKind
    charge_fen: int
    service_name: str | None = None
    payer: str | None = None


@dataclass
class UsageOnBill:
    """A bill's usage: the number's own, and each member's it pays for (by member number)."""

    own: dict[UsageKind, int]
    own_value_added: dict[str, int]
    members: dict[str, tuple[dict[UsageKind, int], dict[str, int]]]


def split_by_payer(bill_msisdn: str, charges: Iterable[UsageCharge]) -> UsageOnBill:
    """The charges that belong on `bill_msisdn`'s bill: its own that nobody else paid, and the
    ones it paid for others. A charge of the number paid by someone else is not on it."""
    out = UsageOnBill({}, {}, {})
    for c in charges:
        if (c.payer or c.msisdn) != bill_msisdn:
            continue
        if c.msisdn == bill_msisdn:
            usage, value_added = out.own, out.own_value_added
        else:
            usage, value_added = out.members.setdefault(c.msisdn, ({}, {}))
        if c.kind is UsageKind.VALUE_ADDED:
            name = c.service_name or "增值业务"
            value_added[name] = value_added.get(name, 0) + c.charge_fen
        else:
            usage[c.kind] = usage.get(c.kind, 0) + c.charge_fen
    return out


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
    members: Mapping[str, tuple[Mapping[UsageKind, int], Mapping[str, int]]] | None = None,
) -> list[BillLine]:
    """The lines of a bill. A pack shows at its list price (final + discount) and its discount as
    a separate negative line, so the lines still sum to what was actually paid. A recurring
    promotion on the monthly fee is its own negative line (月费优惠). `members`: a shared plan
    main's members' usage (UsageOnBill.members), after the main's own lines, member by member,
    each line named and tagged with the member's number."""
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
    lines += _usage_lines(usage_fen or {}, value_added_fen or {}, None)
    if discount:
        lines.append(BillLine(BillItemKind.DISCOUNT, "优惠减免", -discount))
    for msisdn, (usage, value_added) in sorted((members or {}).items()):
        lines += _usage_lines(usage, value_added, msisdn)
    return lines


def _usage_lines(
    usage_fen: Mapping[UsageKind, int], value_added_fen: Mapping[str, int], member: str | None
) -> list[BillLine]:
    prefix = f"副卡{member} " if member else ""
    lines = []
    for kind, (item_kind, name) in USAGE_ITEM.items():
        amount = usage_fen.get(kind, 0)
        if amount:
            lines.append(BillLine(item_kind, prefix + name, amount, member))
    for service, amount in sorted(value_added_fen.items()):
        if amount:
            lines.append(
                BillLine(BillItemKind.VALUE_ADDED, f"{prefix}增值业务 {service}", amount, member)
            )
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
