"""GB 11643-1999 resident ID checks; valid numbers are built here with the check formula."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.numbers.identity import id_digest, mask_id, parse_resident_id

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)


def with_check(first17: str) -> str:
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


def code_of(raw: str) -> str:
    with pytest.raises(DomainError) as caught:
        parse_resident_id(raw, NOW)
    return caught.value.code


def test_known_valid_numbers() -> None:
    assert parse_resident_id("11010519491231002X", NOW).birth_date.isoformat() == "1949-12-31"


def test_built_numbers_are_valid_and_case_insensitive() -> None:
    number = with_check("11010519900517123")
    assert parse_resident_id(number.lower(), NOW).number == number
    assert parse_resident_id(with_check("44030620000229001"), NOW).birth_date.month == 2


@pytest.mark.parametrize(
    "raw",
    [
        "110105194912310021",  # wrong check digit
        "11010519491231002",  # 17 characters
        "1101051949123100AX",  # letters
        with_check("99010519900517123"),  # no such province
        with_check("10010519900517123"),  # no such province
        with_check("11010519900230123"),  # 30 February
        with_check("11010518991231123"),  # before 1900
        with_check("44052418800101001"),  # before 1900
        with_check("11010520991231123"),  # in the future
    ],
)
def test_invalid_numbers(raw: str) -> None:
    assert code_of(raw) == "INVALID_ID_NUMBER"


def test_age_is_counted_on_the_shanghai_date() -> None:
    sixteen_tomorrow = with_check("11010520101202123")
    assert code_of(sixteen_tomorrow) == "TOO_YOUNG"
    # 2026-12-01T20:00Z is already 2 December in Shanghai: the birthday has come.
    later = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    assert parse_resident_id(sixteen_tomorrow, later).birth_date.day == 2


@given(st.integers(min_value=0, max_value=10**17 - 1))
def test_any_single_digit_change_breaks_the_check(n: int) -> None:
    number = with_check("110105" + "19900517" + f"{n % 1000:03d}")
    changed = number[:16] + str((int(number[16]) + 1) % 10) + number[17]
    assert code_of(changed) == "INVALID_ID_NUMBER"


def test_mask_and_digest_never_show_the_number() -> None:
    number = with_check("11010519900517123")
    assert mask_id(number) == "110***********" + number[-4:]
    digest = id_digest(number, "secret")
    assert number not in digest and len(digest) == 64
    assert digest == id_digest(number.lower(), "secret") != id_digest(number, "other")
