"""Second-generation resident ID numbers (GB 11643-1999) and how we keep them.

An 18-character ID is valid when: the first 17 characters are digits and the 18th a digit or X;
the check character equals ``"10X98765432"[Σ dᵢ·wᵢ mod 11]`` with weights
7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; the first two digits are a real province-level code; the
birth date (characters 7–14, YYYYMMDD) is a real date, from 1900 on and not after today
(Asia/Shanghai). The holder must be at least ``min_age`` (16) years old on today's date.

We never store the number: only ``mask_id`` (first 3 and last 4 characters) and ``id_digest``
(HMAC-SHA256 with a secret from settings), which finds the same person again without revealing them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime

from domain.calendar import SHANGHAI
from domain.errors import fail

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip
MIN_AGE = 16


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date


def _birth_date(text: str) -> date | None:
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    return born if born.year >= 1900 else None


def _age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def parse_resident_id(
    raw: str, now: datetime, min_age: int = MIN_AGE, field: str = "idNumber"
) -> ResidentId:
    """The validated ID, or INVALID_ID_NUMBER / TOO_YOUNG."""
    number = raw.strip().upper()
    if (
        len(number) != 18
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise fail("INVALID_ID_NUMBER", "身份证号码应为18位", field)
    if check_char(number[:17]) != number[17]:
        raise fail("INVALID_ID_NUMBER", "身份证号码校验位不正确", field)
    if number[:2] not in PROVINCE_CODES:
        raise fail("INVALID_ID_NUMBER", "身份证号码地区码不正确", field)
    today = now.astimezone(SHANGHAI).date()
    born = _birth_date(number[6:14])
    if born is None or born > today:
        raise fail("INVALID_ID_NUMBER", "身份证号码出生日期不正确", field)
    if _age_on(born, today) < min_age:
        raise fail("TOO_YOUNG", f"未满{min_age}周岁不能办理", field)
    return ResidentId(number, born)


def mask_id(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def id_digest(number: str, secret: str) -> str:
    return hmac.new(secret.encode(), number.strip().upper().encode(), hashlib.sha256).hexdigest()
