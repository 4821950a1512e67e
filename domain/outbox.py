"""Sending an outbox (SMS notices, e-mails): how long to wait before a retry and why a row was
given up. Pure rules; resolvers/outbox_sender.py applies them."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class DeliveryFailure(StrEnum):
    """Why a row was given up (its failure_reason, before a colon and the gateway's reason)."""

    REJECTED = "REJECTED"  # the gateway refused it for good (bad number or address, content)
    RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED"
    CODE_EXPIRED = "CODE_EXPIRED"  # an SMS code that could no longer be used when it arrived


def retry_delay(attempt: int, base_seconds: float, cap_seconds: float) -> timedelta:
    """Exponential backoff after the `attempt`-th failed try (1-based): base, 2×base, 4×base, …
    capped. No random jitter here: the claim already spreads retries over the workers."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** (attempt - 1)))
