"""Sending the SMS outbox: which notices go first and which codes are too old to send. Pure
rules; the sender (resolvers/sms_sender.py) applies them, with the retry rules of every outbox
(domain/outbox.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

CODE_PRIORITY = 0  # login and reset codes: a person is waiting for them
NOTICE_PRIORITY = 1
CODE_KINDS_PREFIX = "SMS_"  # SMS_LOGIN, SMS_RESET_PASSWORD, SMS_RANDOM_PASSWORD


def priority_of(kind: str) -> int:
    return CODE_PRIORITY if kind.startswith(CODE_KINDS_PREFIX) else NOTICE_PRIORITY


def is_code(kind: str) -> bool:
    return priority_of(kind) == CODE_PRIORITY


def code_expired(kind: str, queued_at: datetime | None, now: datetime, life_seconds: int) -> bool:
    """A code past its life is useless to the person: fail it instead of sending it late."""
    return (
        is_code(kind)
        and queued_at is not None
        and now - queued_at >= timedelta(seconds=life_seconds)
    )
