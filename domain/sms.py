"""Sending the SMS outbox: which notices go first, how long to wait before a retry, and when to
give up. Pure rules; the sender (resolvers/sms_sender.py) applies them."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

CODE_PRIORITY = 0  # login and reset codes: a person is waiting for them
NOTICE_PRIORITY = 1
CODE_KINDS_PREFIX = "SMS_"  # SMS_LOGIN, SMS_RESET_PASSWORD, SMS_RANDOM_PASSWORD


class SmsFailure(StrEnum):
    """Why a notice was given up (Notification.failure_reason)."""

    REJECTED = "REJECTED"  # the gateway refused it for good (bad number, blocked content)
    RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED"
    CODE_EXPIRED = "CODE_EXPIRED"  # a code that could no longer be used when it would arrive


def priority_of(kind: str) -> int:
    return CODE_PRIORITY if kind.startswith(CODE_KINDS_PREFIX) else NOTICE_PRIORITY


def is_code(kind: str) -> bool:
    return priority_of(kind) == CODE_PRIORITY


def retry_delay(attempt: int, base_seconds: float, cap_seconds: float) -> timedelta:
    """Exponential backoff after the `attempt`-th failed try (1-based): base, 2×base, 4×base, …
    capped. No random jitter here: the claim already spreads retries over the workers."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** (attempt - 1)))


def code_expired(kind: str, queued_at: datetime | None, now: datetime, life_seconds: int) -> bool:
    """A code past its life is useless to the person: fail it instead of sending it late."""
    return (
        is_code(kind)
        and queued_at is not None
        and now - queued_at >= timedelta(seconds=life_seconds)
    )
