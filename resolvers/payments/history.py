"""Credited recharges of the last 24 months, newest first."""

from __future__ import annotations

from datetime import datetime

from db.models.accounts import Subscriber
from db.models.payments import Payment
from domain.payments import (
    PaymentStatus,
)
from domain.usage import RECHARGE_MONTHS, retention_start
from resolvers.pagination import Page, keyset_page


async def recharges(
    subscriber: Subscriber, first: int | None, after: str | None, now: datetime
) -> Page[Payment]:
    """Credited top-ups of the last 24 months, newest first."""
    since = retention_start(now, RECHARGE_MONTHS)
    query = Payment.filter(
        subscriber_id=subscriber.id, status=PaymentStatus.PAID, paid_at__gte=since
    )
    return await keyset_page(query, first, after, ("-paid_at", "-id"))


async def all_recharges(subscriber_id: int, now: datetime) -> list[Payment]:
    since = retention_start(now, RECHARGE_MONTHS)
    return await Payment.filter(
        subscriber_id=subscriber_id, status=PaymentStatus.PAID, paid_at__gte=since
    ).order_by("-paid_at", "-id")
