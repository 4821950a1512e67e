"""The catalog's vocabulary: plans and combos, combo packs, add-on packs and how long they last.

Plans and combos are one thing to everything downstream (billing, allowances, recommendations):
a combo is stored as a plan of kind COMBO whose fee and allowances are the sums of its packs.
Combo packs (DATA, VOICE, SMS, VAS) are monthly components; add-ons are bought once and take
effect at once, for a validity of their own.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.allowances import DISPLAY_UNIT, AllowanceKind
from domain.calendar import SHANGHAI, add_months, as_utc, local, next_month_start


class PlanKind(StrEnum):
    PLAN = "PLAN"  # a listed tariff plan
    COMBO = "COMBO"  # a 4G national combo a subscriber composed from packs
    SHARED = "SHARED"  # a 4G shared plan: data and voice shared with up to 4 secondary numbers


class PackKind(StrEnum):
    DATA = "DATA"
    VOICE = "VOICE"
    SMS = "SMS"
    VAS = "VAS"  # value-added service: no allowance, a monthly fee


PACK_ALLOWANCE = {
    PackKind.DATA: AllowanceKind.DATA,
    PackKind.VOICE: AllowanceKind.VOICE,
    PackKind.SMS: AllowanceKind.SMS,
}
KIND_ORDER = {kind: i for i, kind in enumerate(PackKind)}


class AddOnKind(StrEnum):
    SEVEN_DAY_DATA = "SEVEN_DAY_DATA"  # 7天流量包
    MONTH_END_DATA = "MONTH_END_DATA"  # 月末流量包: until the end of this month
    HALF_YEAR_DATA = "HALF_YEAR_DATA"  # 半年包: re-buying tops up and extends
    DIRECTIONAL_VIDEO = "DIRECTIONAL_VIDEO"  # 定向流量包: one app's traffic only
    ROAMING = "ROAMING"  # 国际及港澳台漫游包, per destination


class ValidityKind(StrEnum):
    DAYS = "DAYS"  # `length` x 24 hours from purchase
    MONTH_END = "MONTH_END"  # until 00:00 Shanghai on the 1st of next month
    MONTHS = "MONTHS"  # `length` calendar months from purchase (same local time of day)


@dataclass(frozen=True)
class Allowance:
    """What an offering grants per month (plans, combos) or per purchase (add-ons), in the
    units the hall shows: data in MB, voice in minutes, SMS in messages."""

    kind: AllowanceKind
    amount: int

    @property
    def unit(self) -> str:
        return DISPLAY_UNIT[self.kind]


def allowances(data_mb: int, voice_minutes: int, sms_count: int) -> list[Allowance]:
    """The non-zero allowances, data first."""
    amounts = (
        (AllowanceKind.DATA, data_mb),
        (AllowanceKind.VOICE, voice_minutes),
        (AllowanceKind.SMS, sms_count),
    )
    return [Allowance(kind, amount) for kind, amount in amounts if amount > 0]


@dataclass(frozen=True)
class PackInfo:
    """A combo pack as the composition rules see it. `amount` is MB, minutes or messages
    (0 for VAS). `active` is false once the pack is retired from sale."""

    id: str
    kind: PackKind
    name: str
    amount: int
    price_fen: int
    active: bool = True

    def __post_init__(self) -> None:
        if self.price_fen < 0 or self.amount < 0:
            raise ValueError("a pack's price and amount are never negative")


def add_calendar_months(instant: datetime, months: int) -> datetime:
    """The same Shanghai wall-clock time `months` calendar months later; the day is clamped to
    the end of a shorter month (31 August + 6 months = 28/29 February)."""
    here = local(instant)
    year, month = add_months(here.year, here.month, months)
    day = min(here.day, _calendar.monthrange(year, month)[1])
    return as_utc(here.replace(year=year, month=month, day=day, tzinfo=SHANGHAI))


def validity_end(kind: ValidityKind, length: int, start: datetime) -> datetime:
    """Exclusive end of an add-on bought at `start`."""
    if kind is ValidityKind.DAYS:
        return as_utc(start) + timedelta(days=length)
    if kind is ValidityKind.MONTH_END:
        return next_month_start(start)
    return add_calendar_months(start, length)


def validity_label(kind: ValidityKind, length: int) -> str:
    """How the hall shows a validity: 7天, 当月有效, 6个月."""
    if kind is ValidityKind.DAYS:
        return f"{length}天"
    if kind is ValidityKind.MONTH_END:
        return "当月有效"
    return f"{length}个月"


def change_effective_from(now: datetime) -> datetime:
    """Plan and combo changes take effect at 00:00 Shanghai on the 1st strictly after `now`."""
    return next_month_start(now)
