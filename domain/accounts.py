"""Subscribers, staff and the rules on their identifiers and secrets."""

from __future__ import annotations

import re
from enum import StrEnum
from itertools import pairwise

from domain.errors import DomainError, Problem, fail

MSISDN_RE = re.compile(r"^1[3-9]\d{9}$")


class SubscriberStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"  # arrears: may log in, read and recharge
    CLOSED = "CLOSED"
    INACTIVE = "INACTIVE"  # bought online, before the courier hands the SIM to the ID holder


class StaffRole(StrEnum):
    MARKETING = "MARKETING"
    OPERATOR = "OPERATOR"
    AGENT = "AGENT"  # customer service: works the chat queue and tickets
    ADMIN = "ADMIN"


def check_msisdn(msisdn: str, field: str = "msisdn") -> str:
    """A mainland mobile number: 11 digits starting 13–19. Spaces and a +86 prefix are tolerated."""
    cleaned = re.sub(r"[\s-]", "", msisdn or "")
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    if not MSISDN_RE.match(cleaned):
        raise fail("INVALID_MSISDN", "A mobile number is 11 digits starting with 13–19.", field)
    return cleaned


def mask_msisdn(msisdn: str) -> str:
    """186****0001, the way detail records and public lists show a counterparty."""
    if len(msisdn) == 11 and msisdn.isdigit():
        return f"{msisdn[:3]}****{msisdn[7:]}"
    return msisdn[:2] + "*" * max(len(msisdn) - 4, 0) + msisdn[-2:] if len(msisdn) > 4 else "****"


PASSWORD_MIN, PASSWORD_MAX = 6, 32


def _is_run(secret: str) -> bool:
    """123456, 654321, abcdef: every step +1 or every step −1."""
    steps = {ord(b) - ord(a) for a, b in pairwise(secret)}
    return steps in ({1}, {-1})


def password_problems(
    secret: str, msisdn: str | None = None, field: str = "newPassword"
) -> list[Problem]:
    problems: list[Problem] = []
    if not (PASSWORD_MIN <= len(secret) <= PASSWORD_MAX):
        problems.append(
            Problem("WEAK_PASSWORD", f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters.", field)
        )
        return problems
    if len(set(secret)) == 1:
        problems.append(
            Problem("WEAK_PASSWORD", "One repeated character is too easy to guess.", field)
        )
    elif _is_run(secret.lower()):
        problems.append(Problem("WEAK_PASSWORD", "A run like 123456 is too easy to guess.", field))
    if msisdn and secret.isdigit() and secret in msisdn:
        problems.append(
            Problem("WEAK_PASSWORD", "Part of your own number is too easy to guess.", field)
        )
    return problems


def check_new_password(secret: str, msisdn: str | None = None, field: str = "newPassword") -> None:
    problems = password_problems(secret, msisdn, field)
    if problems:
        raise DomainError(*problems)


def check_can_log_in(status: SubscriberStatus) -> None:
    if status is SubscriberStatus.CLOSED:
        raise fail("ACCOUNT_CLOSED", "This number has been closed.", "msisdn")
    if status is SubscriberStatus.INACTIVE:
        raise fail(
            "NOT_ACTIVATED", "This number is activated when its SIM card is delivered.", "msisdn"
        )
