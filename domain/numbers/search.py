"""What a number search asks for, validated, and the view a client reads.

Filters combine with AND: `prefix` (the number starts with these digits), `contains` (anywhere in
the 11 digits), `endsWith` (the last digits), `tags` (every listed tag), `excludeDigits` (none of
these digits among the last 8, the digits after the network prefix), `province`/`city` (exact),
`maxPrestoreFen`/`maxMinMonthlyFen` (inclusive). Digit filters hold 1–11 digits, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import fail
from domain.numbers.patterns import PatternTag, mask_of


@dataclass(frozen=True)
class NumberFilter:
    province: str | None = None
    city: str | None = None
    prefix: str | None = None
    contains: str | None = None
    ends_with: str | None = None
    tags: tuple[PatternTag, ...] = ()
    exclude_digits: tuple[int, ...] = ()
    max_prestore_fen: int | None = None
    max_min_monthly_fen: int | None = None

    @property
    def tag_mask(self) -> int:
        return mask_of(self.tags)

    @property
    def excluded_mask(self) -> int:
        mask = 0
        for digit in self.exclude_digits:
            mask |= 1 << digit
        return mask


def _digits(value: str | None, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 11:
        raise fail("INVALID_FILTER", "只能输入1到11位数字", field)
    return value


def number_filter(
    *,
    province: str | None = None,
    city: str | None = None,
    prefix: str | None = None,
    contains: str | None = None,
    ends_with: str | None = None,
    tags: list[PatternTag] | None = None,
    exclude_digits: list[int] | None = None,
    max_prestore_fen: int | None = None,
    max_min_monthly_fen: int | None = None,
) -> NumberFilter:
    """A validated filter, or INVALID_FILTER on the first bad field (camelCase, as sent)."""
    for digit in exclude_digits or ():
        if not 0 <= digit <= 9:
            raise fail("INVALID_FILTER", "排除的数字应在0到9之间", "excludeDigits")
    for value, field in (
        (max_prestore_fen, "maxPrestoreFen"),
        (max_min_monthly_fen, "maxMinMonthlyFen"),
    ):
        if value is not None and value < 0:
            raise fail("INVALID_FILTER", "金额不能为负", field)
    for value, field in ((province, "province"), (city, "city")):
        if value is not None and len(value) > 16:
            raise fail("INVALID_FILTER", "地区名称过长", field)
    return NumberFilter(
        province=province or None,
        city=city or None,
        prefix=_digits(prefix, "prefix"),
        contains=_digits(contains, "contains"),
        ends_with=_digits(ends_with, "endsWith"),
        tags=tuple(dict.fromkeys(tags or ())),
        exclude_digits=tuple(sorted(set(exclude_digits or ()))),
        max_prestore_fen=max_prestore_fen,
        max_min_monthly_fen=max_min_monthly_fen,
    )


@dataclass(frozen=True)
class Region:
    province: str
    city: str


@dataclass(frozen=True)
class NumberView:
    msisdn: str
    region: Region
    tags: tuple[PatternTag, ...]
    tier: int
    prestore_fen: int
    min_monthly_fen: int
    contract_months: int
    status: str


@dataclass(frozen=True)
class Count:
    key: str
    count: int


@dataclass(frozen=True)
class Facets:
    total: int
    tiers: list[Count]
    tags: list[Count]
