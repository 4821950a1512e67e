"""Money is integer fen. Every division that can leave a remainder rounds here and nowhere else.

The declared rule is half-up on non-negative amounts; allocation of a whole across parts uses the
largest-remainder method so the parts always add back to the whole exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

Fen = int
BP_WHOLE = 10_000  # basis points in 100 %


def div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding halves away from zero (amounts here are never negative)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator < 0:
        return -div_half_up(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)


def percent_of(amount_fen: Fen, basis_points: int) -> Fen:
    """`basis_points` of `amount_fen`, half-up: 5000 bp of 1 fen is 1 fen, 4999 bp is 0."""
    return div_half_up(amount_fen * basis_points, BP_WHOLE)


def allocate(total: Fen, weights: Sequence[int]) -> list[Fen]:
    """Split `total` in proportion to `weights` by largest remainder; ties go to the earlier part.

    The parts sum to `total` exactly and none exceeds its weight when total <= sum(weights).
    """
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("allocate takes non-negative amounts")
    weight_sum = sum(weights)
    if weight_sum == 0:
        if total:
            raise ValueError("cannot allocate a positive total over zero weights")
        return [0] * len(weights)
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    short = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:short]:
        floors[i] += 1
    return floors


def yuan(amount_fen: Fen) -> str:
    """Display form, e.g. 12345 -> '¥123.45'."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}¥{whole}.{cents:02d}"
