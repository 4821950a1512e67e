"""Every pattern tag agrees with an independent regex oracle written from the docstring."""

from __future__ import annotations

import itertools
import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from domain.numbers.patterns import (
    DEFAULT_TIER_TERMS,
    PLAIN_TIER,
    TAG_TIER,
    PatternTag,
    mask_of,
    tag_mask,
    tags_of,
    tier_of,
)

ASC = "0123456789"
DESC = ASC[::-1]


def _run(n: int) -> str:
    runs = {ASC[i : i + n] for i in range(11 - n)} | {DESC[i : i + n] for i in range(11 - n)}
    return "(?:" + "|".join(sorted(runs)) + ")$"


def _valid_date(yyyy: int, mm: int, dd: int) -> bool:
    try:
        date(yyyy, mm, dd)
    except ValueError:
        return False
    return True


def _mmdd(s: str) -> bool:
    return bool(re.search(r"(0[1-9]|1[0-2])(\d\d)$", s)) and _valid_date(
        2000, int(s[-4:-2]), int(s[-2:])
    )


def _yyyymmdd(s: str) -> bool:
    m = re.search(r"(19\d\d|20\d\d)(\d\d)(\d\d)$", s)
    return bool(m) and _valid_date(int(m[1]), int(m[2]), int(m[3]))


ORACLE = {
    PatternTag.AAAAA: lambda s: bool(re.search(r"(\d)\1{4}$", s)),
    PatternTag.AAAA: lambda s: bool(re.search(r"(\d)\1{3}$", s)),
    PatternTag.AAA: lambda s: bool(re.search(r"(\d)\1{2}$", s)),
    PatternTag.AA: lambda s: bool(re.search(r"(\d)\1$", s)),
    PatternTag.ABCDE: lambda s: bool(re.search(_run(5), s)),
    PatternTag.ABCD: lambda s: bool(re.search(_run(4), s)),
    PatternTag.ABC: lambda s: bool(re.search(_run(3), s)),
    PatternTag.AABB: lambda s: bool(re.search(r"(\d)\1(?!\1)(\d)\2$", s)),
    PatternTag.ABAB: lambda s: bool(re.search(r"(\d)(?!\1)(\d)\1\2$", s)),
    PatternTag.ABBA: lambda s: bool(re.search(r"(\d)(?!\1)(\d)\2\1$", s)),
    PatternTag.AAAB: lambda s: bool(re.search(r"(\d)\1\1(?!\1)\d$", s)),
    PatternTag.LUCKY_8888: lambda s: bool(re.search(r"8888$", s)),
    PatternTag.LUCKY_6666: lambda s: bool(re.search(r"6666$", s)),
    PatternTag.LUCKY_1688: lambda s: bool(re.search(r"1688$", s)),
    PatternTag.LUCKY_1314: lambda s: bool(re.search(r"1314$", s)),
    PatternTag.LUCKY_520: lambda s: bool(re.search(r"520$", s)),
    PatternTag.LUCKY_5201314: lambda s: bool(re.search(r"5201314$", s)),
    PatternTag.LUCKY_168: lambda s: bool(re.search(r"168$", s)),
    PatternTag.LUCKY_518: lambda s: bool(re.search(r"518$", s)),
    PatternTag.NO_FOUR: lambda s: bool(re.fullmatch(r"\d{3}[0-35-9]{8}", s)),
    PatternTag.BIRTHDAY_MMDD: _mmdd,
    PatternTag.BIRTHDAY_YYYYMMDD: _yyyymmdd,
}

# Random numbers rarely hit a pattern: mix uniform tails with tails built from few digits.
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
few = st.lists(st.sampled_from("0123456789"), min_size=1, max_size=3)
numbers = st.one_of(
    st.text(alphabet="0123456789", min_size=10, max_size=10).map(lambda t: "1" + t),
    st.tuples(st.text(alphabet="0123456789", min_size=3, max_size=3), few, st.data()).map(
        lambda t: "1" + t[0] + "".join(t[2].draw(st.sampled_from(t[1])) for _ in range(7))
    ),
    st.tuples(
        st.text(alphabet="0123456789", min_size=6, max_size=6),
        st.sampled_from(
            ["8888", "5201314"[-4:], "1314", "1688", "0517", "0229", "0230", "3456", "6543"]
        ),
    ).map(lambda t: "1" + t[0] + t[1]),
    st.tuples(
        st.sampled_from(["138", "139", "150"]),
        st.dates(min_value=date(1890, 1, 1), max_value=date(2110, 12, 31)),
    ).map(lambda t: "1" + t[0][1:] + t[1].strftime("%Y%m%d")),
    st.tuples(
        st.sampled_from(["135", "186"]), st.text(alphabet="0123456789", min_size=1, max_size=1)
    ).map(lambda t: t[0] + "5201314" + t[1]),
)


@given(numbers)
def test_every_tag_agrees_with_its_oracle(msisdn: str) -> None:
    got = set(tags_of(tag_mask(msisdn)))
    want = {tag for tag, oracle in ORACLE.items() if oracle(msisdn)}
    assert got == want, msisdn


@given(
    st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(min_value=3, max_value=10)
)
def test_a_four_in_the_last_eight_digits_is_never_no_four(rest: str, at: int) -> None:
    msisdn = ("1" + rest)[:at] + "4" + ("1" + rest)[at + 1 :]
    assert PatternTag.NO_FOUR not in tags_of(tag_mask(msisdn))


@given(st.lists(st.sampled_from(list(PatternTag))))
def test_the_tier_is_the_best_tag_and_more_tags_never_worsen_it(tags: list[PatternTag]) -> None:
    tier = tier_of(mask_of(tags))
    assert tier == min((TAG_TIER[t] for t in tags), default=PLAIN_TIER)
    for extra in PatternTag:
        assert tier_of(mask_of([*tags, extra])) <= tier


def test_tiers_follow_the_category_order() -> None:
    assert tier_of(tag_mask("13800188888")) == 1
    assert tier_of(tag_mask("13505201314")) == 1
    assert tier_of(tag_mask("13800126666")) == 2
    assert tier_of(tag_mask("13800134567")) == 2
    assert tier_of(tag_mask("13800131122")) == 3
    assert tier_of(tag_mask("13800130520")) == 4
    assert tier_of(tag_mask("13800130517")) == 5
    assert tier_of(tag_mask("13840134093")) == PLAIN_TIER
    terms = [DEFAULT_TIER_TERMS[t] for t in sorted(DEFAULT_TIER_TERMS)]
    for better, worse in itertools.pairwise(terms):
        assert better.prestore_fen >= worse.prestore_fen
        assert better.min_monthly_fen >= worse.min_monthly_fen
