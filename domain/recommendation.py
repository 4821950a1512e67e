"""Which plan or combo would have served a subscriber for less, from what they actually used.

The need is the median of the last months' totals (data MB, voice minutes, SMS), taken per
dimension, so one unusual month does not move it. What a month costs on an offering at that usage
is its fee plus pay-as-you-go for whatever the allowances do not cover (none for data on a plan
that only slows down past its allowance). The candidate is the cheapest offering that covers the
need, or, when none does, the cheapest at that usage. It is recommended only when it costs less
than the current offering at the same usage: a recommendation never costs more.

Two candidates are considered: the cheapest listed plan, and the cheapest combo composed from
the packs on sale (a data pack, then a voice and an SMS pack only if needed, each the cheapest
that covers that dimension), keeping the value-added packs of the current combo.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.bundles import Combo, canonical
from domain.catalog import PackInfo, PackKind, PlanKind
from domain.money import yuan


@dataclass(frozen=True)
class MonthlyUsage:
    month: str  # YYYY-MM, business calendar
    data_mb: int
    voice_minutes: int
    sms_count: int


@dataclass(frozen=True)
class Rates:
    """Pay-as-you-go beyond allowances, in fen per unit (DESIGN §4 defaults)."""

    data_fen_per_mb: int = 30
    voice_fen_per_minute: int = 15
    sms_fen_per_message: int = 10


DEFAULT_RATES = Rates()


@dataclass(frozen=True)
class Offering:
    id: str
    name: str
    kind: PlanKind
    monthly_fee_fen: int
    data_mb: int
    voice_minutes: int
    sms_count: int
    requires_5g: bool = False
    data_capped_not_charged: bool = False  # speed cap past the allowance instead of charging
    pack_ids: tuple[str, ...] = field(default=())  # for combos

    def covers(self, need: MonthlyUsage) -> bool:
        return (
            (self.data_capped_not_charged or self.data_mb >= need.data_mb)
            and self.voice_minutes >= need.voice_minutes
            and self.sms_count >= need.sms_count
        )

    def cost_at(self, need: MonthlyUsage, rates: Rates = DEFAULT_RATES) -> int:
        data_over = 0 if self.data_capped_not_charged else max(need.data_mb - self.data_mb, 0)
        return (
            self.monthly_fee_fen
            + data_over * rates.data_fen_per_mb
            + max(need.voice_minutes - self.voice_minutes, 0) * rates.voice_fen_per_minute
            + max(need.sms_count - self.sms_count, 0) * rates.sms_fen_per_message
        )


@dataclass(frozen=True)
class Recommendation:
    offering: Offering
    monthly_fee_fen: int
    monthly_saving_fen: int
    reason: str


def median_need(months: Sequence[MonthlyUsage]) -> MonthlyUsage:
    """Per-dimension median, rounded up to a whole unit (never under-serve the need)."""

    def med(values: list[int]) -> int:
        doubled = round(statistics.median(values) * 2)
        return (doubled + 1) // 2

    return MonthlyUsage(
        month="median",
        data_mb=med([m.data_mb for m in months]),
        voice_minutes=med([m.voice_minutes for m in months]),
        sms_count=med([m.sms_count for m in months]),
    )


def _best(offerings: Sequence[Offering], need: MonthlyUsage, rates: Rates) -> Offering | None:
    if not offerings:
        return None
    covering = [o for o in offerings if o.covers(need)]
    pool = covering or list(offerings)
    return min(pool, key=lambda o: (o.cost_at(need, rates), o.monthly_fee_fen, o.id))


def _cheapest_pack(
    packs: Sequence[PackInfo], need: int, rate: int, optional: bool
) -> PackInfo | None:
    """The pack that serves `need` units for least: the cheapest covering one if any, else the
    one cheapest with pay-as-you-go on top. None (no pack) when that is cheaper still."""
    options: list[tuple[int, int, str, PackInfo | None]] = []
    if optional:
        options.append((need * rate, 0 if need == 0 else 1, "", None))
    for p in packs:
        options.append(
            (p.price_fen + max(need - p.amount, 0) * rate, 0 if p.amount >= need else 1, p.id, p)
        )
    covering = [o for o in options if o[1] == 0]
    pool = covering or options
    if not pool:
        return None
    return min(pool, key=lambda o: (o[0], o[2]))[3]


def cheapest_combo(
    packs: Sequence[PackInfo],
    need: MonthlyUsage,
    keep_vas: Sequence[PackInfo] = (),
    rates: Rates = DEFAULT_RATES,
) -> Offering | None:
    """The combo that covers `need` for least, or None when no data pack is on sale."""
    on_sale = [p for p in packs if p.active]
    by_kind = {kind: [p for p in on_sale if p.kind is kind] for kind in PackKind}
    data = _cheapest_pack(by_kind[PackKind.DATA], need.data_mb, rates.data_fen_per_mb, False)
    if data is None:
        return None
    voice = _cheapest_pack(
        by_kind[PackKind.VOICE], need.voice_minutes, rates.voice_fen_per_minute, True
    )
    sms = _cheapest_pack(by_kind[PackKind.SMS], need.sms_count, rates.sms_fen_per_message, True)
    chosen = [p for p in (data, voice, sms) if p is not None] + [
        p for p in keep_vas if p.active and p.kind is PackKind.VAS
    ]
    combo = Combo(canonical(chosen))
    return Offering(
        id=combo.id,
        name=combo.name,
        kind=PlanKind.COMBO,
        monthly_fee_fen=combo.monthly_fee_fen,
        data_mb=combo.amount_of(PackKind.DATA),
        voice_minutes=combo.amount_of(PackKind.VOICE),
        sms_count=combo.amount_of(PackKind.SMS),
        pack_ids=combo.pack_ids,
    )


def _reason(need: MonthlyUsage, months: int, offering: Offering, current_cost: int) -> str:
    covered = "可完全覆盖" if offering.covers(need) else "超出部分按标准资费计"
    return (
        f"近{months}个月用量中位数：流量{need.data_mb}MB、语音{need.voice_minutes}分钟、"
        f"短信{need.sms_count}条。按此用量当前每月约{yuan(current_cost)}，"
        f"{offering.name}每月约{yuan(offering.cost_at(need))}，{covered}。"
    )


def recommend(
    months: Sequence[MonthlyUsage],
    current: Offering,
    plans: Sequence[Offering],
    packs: Sequence[PackInfo],
    *,
    device_5g: bool,
    keep_vas: Sequence[PackInfo] = (),
    rates: Rates = DEFAULT_RATES,
) -> list[Recommendation]:
    """At most one plan and one combo, cheapest first; empty without usage or without saving."""
    if not months:
        return []
    need = median_need(months)
    current_cost = current.cost_at(need, rates)
    eligible = [p for p in plans if p.id != current.id and (device_5g or not p.requires_5g)]
    candidates = [_best(eligible, need, rates), cheapest_combo(packs, need, keep_vas, rates)]
    found: list[Recommendation] = []
    for offering in candidates:
        if offering is None or offering.id == current.id:
            continue
        cost = offering.cost_at(need, rates)
        if cost < current_cost:
            found.append(
                Recommendation(
                    offering=offering,
                    monthly_fee_fen=offering.monthly_fee_fen,
                    monthly_saving_fen=current_cost - cost,
                    reason=_reason(need, len(months), offering, current_cost),
                )
            )
    return sorted(found, key=lambda r: (-r.monthly_saving_fen, r.offering.id))
