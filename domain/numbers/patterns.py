"""Pattern tags of an 11-digit mainland msisdn, and the tier the best tag gives it.

A number is written ``d1 … d11`` (network prefix d1–d3, region block d4–d7, subscriber digits
d8–d11). Every tag is decided on a *tail* of the number, never on the prefix:

- ``AAAAA``: the last 5 digits are one digit repeated (``…88888``).
- ``AAAA``: the last 4 digits are one digit repeated.
- ``AAA``: the last 3 digits are one digit repeated.
- ``AA``: the last 2 digits are equal.
- ``ABCDE``: the last 5 digits step by +1 (ascending, ``…34567``) or by −1 (descending,
  ``…76543``); no wrap-around (``…89012`` is not a run).
- ``ABCD`` / ``ABC``: the same on the last 4 / last 3 digits.
- ``AABB``: last 4 digits ``xxyy`` with x ≠ y.
- ``ABAB``: last 4 digits ``xyxy`` with x ≠ y.
- ``ABBA``: last 4 digits ``xyyx`` with x ≠ y.
- ``AAAB``: last 4 digits ``xxxy`` with x ≠ y.
- ``LUCKY_8888``, ``LUCKY_6666``, ``LUCKY_1688``, ``LUCKY_1314``, ``LUCKY_520``,
  ``LUCKY_5201314``, ``LUCKY_168``, ``LUCKY_518``: the number ends with those digits.
- ``NO_FOUR``: no digit 4 among the last 8 digits (d4–d11).
- ``BIRTHDAY_MMDD``: the last 4 digits are a month 01–12 and a day that exists in that month in
  some year (so ``0229`` counts, ``0230`` and ``1301`` do not).
- ``BIRTHDAY_YYYYMMDD``: the last 8 digits are a valid Gregorian date with year 1900–2099.

Tags overlap on purpose (``…8888`` is AAAA, AAA, AA and LUCKY_8888). The tier is the
best (lowest) tier among a number's tags, per ``TAG_TIER``; a number with no tag is ``PLAIN_TIER``.
Tags are stored as a bitmask: bit ``i`` is ``PatternTag`` number ``i`` in declaration order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class PatternTag(str, Enum):
    AAAAA = "AAAAA"
    AAAA = "AAAA"
    ABCDE = "ABCDE"
    ABCD = "ABCD"
    AAA = "AAA"
    AABB = "AABB"
    ABAB = "ABAB"
    ABBA = "ABBA"
    AAAB = "AAAB"
    ABC = "ABC"
    AA = "AA"
    LUCKY_8888 = "LUCKY_8888"
    LUCKY_6666 = "LUCKY_6666"
    LUCKY_1688 = "LUCKY_1688"
    LUCKY_1314 = "LUCKY_1314"
    LUCKY_520 = "LUCKY_520"
    LUCKY_5201314 = "LUCKY_5201314"
    LUCKY_168 = "LUCKY_168"
    LUCKY_518 = "LUCKY_518"
    NO_FOUR = "NO_FOUR"
    BIRTHDAY_MMDD = "BIRTHDAY_MMDD"
    BIRTHDAY_YYYYMMDD = "BIRTHDAY_YYYYMMDD"


TAGS: tuple[PatternTag, ...] = tuple(PatternTag)
BIT: dict[PatternTag, int] = {tag: 1 << i for i, tag in enumerate(TAGS)}

PLAIN_TIER = 6
TAG_TIER: dict[PatternTag, int] = {
    PatternTag.AAAAA: 1,
    PatternTag.LUCKY_5201314: 1,
    PatternTag.AAAA: 2,
    PatternTag.ABCDE: 2,
    PatternTag.LUCKY_8888: 2,
    PatternTag.LUCKY_6666: 2,
    PatternTag.ABCD: 3,
    PatternTag.AABB: 3,
    PatternTag.ABAB: 3,
    PatternTag.ABBA: 3,
    PatternTag.AAAB: 3,
    PatternTag.LUCKY_1688: 3,
    PatternTag.LUCKY_1314: 3,
    PatternTag.AAA: 4,
    PatternTag.ABC: 4,
    PatternTag.LUCKY_520: 4,
    PatternTag.LUCKY_168: 4,
    PatternTag.LUCKY_518: 4,
    PatternTag.BIRTHDAY_YYYYMMDD: 4,
    PatternTag.AA: 5,
    PatternTag.BIRTHDAY_MMDD: 5,
    PatternTag.NO_FOUR: 5,
}

LUCKY_TAILS: tuple[tuple[str, PatternTag], ...] = (
    ("8888", PatternTag.LUCKY_8888),
    ("6666", PatternTag.LUCKY_6666),
    ("1688", PatternTag.LUCKY_1688),
    ("1314", PatternTag.LUCKY_1314),
    ("520", PatternTag.LUCKY_520),
    ("5201314", PatternTag.LUCKY_5201314),
    ("168", PatternTag.LUCKY_168),
    ("518", PatternTag.LUCKY_518),
)

# Days per month in a leap year: MMDD birthdays accept 0229.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_VALID_MMDD = frozenset(
    f"{m + 1:02d}{d:02d}" for m in range(12) for d in range(1, _MONTH_DAYS[m] + 1)
)


def is_msisdn(text: str) -> bool:
    return len(text) == 11 and text.isdigit() and text[0] == "1"


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _valid_yyyymmdd(s: str) -> bool:
    year = int(s[:4])
    if not 1900 <= year <= 2099 or s[4:] not in _VALID_MMDD:
        return False
    return s[4:] != "0229" or _is_leap(year)


def _step_run(tail: str) -> bool:
    step = ord(tail[1]) - ord(tail[0])
    if step not in (1, -1):
        return False
    return all(ord(tail[i + 1]) - ord(tail[i]) == step for i in range(len(tail) - 1))


def tag_mask(msisdn: str) -> int:
    """The bitmask of every tag ``msisdn`` carries (hot path of the seed: keep it plain)."""
    s = msisdn
    a, b, c, d, e = s[6], s[7], s[8], s[9], s[10]
    mask = 0
    if d == e:
        mask |= BIT[PatternTag.AA]
        if c == d:
            mask |= BIT[PatternTag.AAA]
            if b == c:
                mask |= BIT[PatternTag.AAAA]
                if a == b:
                    mask |= BIT[PatternTag.AAAAA]
    if b == c == d != e:
        mask |= BIT[PatternTag.AAAB]
    if b == c and d == e and c != d:
        mask |= BIT[PatternTag.AABB]
    if b == d and c == e and b != c:
        mask |= BIT[PatternTag.ABAB]
    if b == e and c == d and b != c:
        mask |= BIT[PatternTag.ABBA]
    if _step_run(s[8:]):
        mask |= BIT[PatternTag.ABC]
        if _step_run(s[7:]):
            mask |= BIT[PatternTag.ABCD]
            if _step_run(s[6:]):
                mask |= BIT[PatternTag.ABCDE]
    for tail, tag in LUCKY_TAILS:
        if s.endswith(tail):
            mask |= BIT[tag]
    if "4" not in s[3:]:
        mask |= BIT[PatternTag.NO_FOUR]
    if s[7:] in _VALID_MMDD:
        mask |= BIT[PatternTag.BIRTHDAY_MMDD]
        if _valid_yyyymmdd(s[3:]):
            mask |= BIT[PatternTag.BIRTHDAY_YYYYMMDD]
    return mask


def tags_of(mask: int) -> list[PatternTag]:
    return [tag for tag in TAGS if mask & BIT[tag]]


def mask_of(tags: list[PatternTag] | tuple[PatternTag, ...]) -> int:
    mask = 0
    for tag in tags:
        mask |= BIT[tag]
    return mask


_TIER_BY_BIT = sorted(((TAG_TIER[tag], BIT[tag]) for tag in TAGS), key=lambda pair: pair[0])


def tier_of(mask: int) -> int:
    """The best tier among the tags in ``mask`` (1 best), or ``PLAIN_TIER``."""
    for tier, bit in _TIER_BY_BIT:
        if mask & bit:
            return tier
    return PLAIN_TIER


@dataclass(frozen=True)
class TierTerms:
    prestore_fen: int
    min_monthly_fen: int
    contract_months: int


DEFAULT_TIER_TERMS: dict[int, TierTerms] = {
    1: TierTerms(prestore_fen=500_000, min_monthly_fen=38_800, contract_months=24),
    2: TierTerms(prestore_fen=200_000, min_monthly_fen=18_800, contract_months=24),
    3: TierTerms(prestore_fen=50_000, min_monthly_fen=12_800, contract_months=12),
    4: TierTerms(prestore_fen=20_000, min_monthly_fen=5_800, contract_months=12),
    5: TierTerms(prestore_fen=5_000, min_monthly_fen=3_800, contract_months=0),
    6: TierTerms(prestore_fen=0, min_monthly_fen=0, contract_months=0),
}
