"""What a number is stocked with: its tags, digit set, tier and the tier's terms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.numbers.patterns import DEFAULT_TIER_TERMS, TierTerms, tag_mask, tier_of


def tier_terms(configured: Mapping[int, Any]) -> dict[int, TierTerms]:
    """The terms per tier from settings (objects with prestore_fen, min_monthly_fen and
    contract_months), as the domain's TierTerms."""
    return {
        int(tier): TierTerms(t.prestore_fen, t.min_monthly_fen, t.contract_months)
        for tier, t in configured.items()
    }


def digit_mask(msisdn: str) -> int:
    """Bit d is set when digit d occurs among the last 8 digits (where excludeDigits looks)."""
    mask = 0
    for ch in set(msisdn[3:]):
        mask |= 1 << (ord(ch) - 48)
    return mask


def stock_row(
    msisdn: str, province: str, city: str, terms: dict[int, TierTerms] = DEFAULT_TIER_TERMS
) -> tuple:
    """The pool row of `msisdn` in `db.repositories.numbers.COLUMNS` order."""
    tags = tag_mask(msisdn)
    tier = tier_of(tags)
    t = terms[tier]
    return (
        msisdn,
        msisdn[::-1],
        msisdn[:3],
        province,
        city,
        "AVAILABLE",
        tags,
        digit_mask(msisdn),
        tier,
        t.prestore_fen,
        t.min_monthly_fen,
        t.contract_months,
    )
