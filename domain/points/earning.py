"""1 point per whole yuan of settled spend; campaigns may multiply (in basis points of 1x)."""

from __future__ import annotations

from collections.abc import Iterable

from domain.billing import BillItemKind, BillLine
from domain.money import BP_WHOLE


def points_for(settled_fen: int, multiplier_bp: int = BP_WHOLE) -> int:
    if settled_fen <= 0:
        return 0
    return (settled_fen // 100) * multiplier_bp // BP_WHOLE


# Bill lines that are spend settled by the bill itself; packs earned when they were bought.
BILL_SPEND = frozenset(
    {
        BillItemKind.VOICE_OVERAGE,
        BillItemKind.SMS_OVERAGE,
        BillItemKind.MMS,
        BillItemKind.DATA_OVERAGE,
        BillItemKind.WLAN,
        BillItemKind.VALUE_ADDED,
    }
)


def bill_spend_fen(monthly_fee_charged_fen: int, lines: Iterable[BillLine]) -> int:
    """What a bill settles: the monthly fee it charges (after promotions) and the usage."""
    return max(monthly_fee_charged_fen, 0) + sum(
        line.amount_fen for line in lines if line.kind in BILL_SPEND
    )


def order_points(points_to_earn: int, charged_fen: int) -> int:
    """An order paid in money earns what its quote promised (campaign multipliers included)."""
    if charged_fen <= 0:
        return 0
    return max(points_to_earn, 0)
