"""1 point per whole yuan of settled spend; campaigns may multiply (in basis points of 1x)."""

from __future__ import annotations

from domain.money import BP_WHOLE


def points_for(settled_fen: int, multiplier_bp: int = BP_WHOLE) -> int:
    if settled_fen <= 0:
        return 0
    return (settled_fen // 100) * multiplier_bp // BP_WHOLE
