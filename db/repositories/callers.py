"""The logged-in subscriber's row in one statement: whether a plan change fell due (a subquery,
so the usual request does not pay a round trip to learn that nothing is due) and, when the
request reads allowances, this instant's buckets joined to it (the hall's dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Subquery

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.models.usage import AllowanceBucket
from db.repositories.plan_changes import CHANGE_KINDS
from domain.calendar import as_utc
from domain.orders import OrderStatus

BUCKET_ORDER = ("kind", "valid_until", "id")


@dataclass
class Caller:
    subscriber: Subscriber
    change_due: bool  # a scheduled plan change is due: apply it, then read the row again
    buckets: list[AllowanceBucket] | None  # valid at the instant read; None: not read


def _due_change(subscriber_id: int, now: datetime) -> Subquery:
    return Subquery(
        Order.filter(
            subscriber_id=subscriber_id,
            kind__in=CHANGE_KINDS,
            status=OrderStatus.SCHEDULED,
            effective_from__lte=now,
        )
        .limit(1)
        .values("id")
    )


async def load_caller(subscriber_id: int, now: datetime, with_buckets: bool) -> Caller | None:
    now = as_utc(now)  # SQLite compares instants as text: always query in UTC
    if with_buckets:
        rows = (
            await AllowanceBucket.filter(
                subscriber_id=subscriber_id, valid_from__lte=now, valid_until__gt=now
            )
            .select_related("subscriber")
            .annotate(change_due=_due_change(subscriber_id, now))
            .order_by(*BUCKET_ORDER)
        )
        if rows:  # none valid now (a new cycle's buckets not made yet): the row alone below
            return Caller(rows[0].subscriber, rows[0].change_due is not None, rows)  # type: ignore[attr-defined]
    row = (
        await Subscriber.filter(id=subscriber_id)
        .annotate(change_due=_due_change(subscriber_id, now))
        .first()
    )
    if row is None:
        return None
    return Caller(row, row.change_due is not None, None)  # type: ignore[attr-defined]
