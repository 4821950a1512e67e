"""The SMS outbox: queueing (for `resolvers.notifier`, the SmsGateway use cases call) and the
sender's claims.

A sender claims due rows before sending them: on PostgreSQL one UPDATE over a
`SELECT … FOR UPDATE SKIP LOCKED` (workers take disjoint batches without waiting on each other),
elsewhere a guarded UPDATE per row (the row's pending condition is re-checked in the UPDATE, so
of two workers only one gets each row). A claim lasts `claimed_until`; a worker that dies
mid-batch leaves rows that are claimable again after it."""

from __future__ import annotations

from datetime import datetime

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q

from db.models.accounts import Notification
from domain.calendar import as_utc
from domain.sms import priority_of


async def queue(
    msisdn: str,
    kind: str,
    text: str,
    queued_at: datetime,
    due_at: datetime | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> Notification:
    """One SMS for the sender, due at once or at `due_at` (after quiet hours)."""
    return await Notification.create(
        msisdn=msisdn,
        kind=kind,
        text=text,
        priority=priority_of(kind),
        queued_at=as_utc(queued_at),
        next_attempt_at=as_utc(due_at) if due_at else None,
        using_db=using_db,
    )


async def outbox_for(msisdn: str, limit: int = 50) -> list[Notification]:
    rows = await Notification.filter(msisdn=msisdn).order_by("-id").limit(limit)
    return rows


def _due(now: datetime) -> Q:
    return (
        Q(sent_at__isnull=True, failed_at__isnull=True)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


CLAIM_SQL = """
UPDATE notification SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM notification
    WHERE sent_at IS NULL AND failed_at IS NULL
      AND (next_attempt_at IS NULL OR next_attempt_at <= $3)
      AND (claimed_until IS NULL OR claimed_until < $3)
    ORDER BY priority, id
    LIMIT $4
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""


async def claim(worker: str, now: datetime, until: datetime, limit: int) -> list[Notification]:
    """Claim up to `limit` due notices for `worker`, codes first, then oldest first."""
    now, until = as_utc(now), as_utc(until)
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        # execute_query drops an UPDATE's RETURNING rows: fetch them
        rows = await conn.execute_query_dict(CLAIM_SQL, [worker, until, now, limit])
        ids = [row["id"] for row in rows]
    else:
        candidates = (
            await Notification.filter(_due(now))
            .order_by("priority", "id")
            .limit(limit)
            .values_list("id", flat=True)
        )
        ids = []
        for notice_id in candidates:
            taken = await Notification.filter(_due(now), id=notice_id).update(
                claimed_by=worker, claimed_until=until, attempts=F("attempts") + 1
            )
            if taken:
                ids.append(notice_id)
    if not ids:
        return []
    return await Notification.filter(id__in=ids).order_by("priority", "id")


async def mark_sent(notice_id: int, now: datetime) -> bool:
    """Sent, whoever holds the claim now: the gateway accepted it (and accepts an id once)."""
    return bool(
        await Notification.filter(id=notice_id, sent_at__isnull=True).update(
            sent_at=as_utc(now), claimed_by=None, claimed_until=None, failure_reason=None
        )
    )


async def mark_retry(notice_id: int, worker: str, at: datetime, reason: str) -> bool:
    return bool(
        await Notification.filter(id=notice_id, claimed_by=worker, sent_at__isnull=True).update(
            next_attempt_at=as_utc(at),
            claimed_by=None,
            claimed_until=None,
            failure_reason=reason[:64],
        )
    )


async def mark_failed(notice_id: int, worker: str, now: datetime, reason: str) -> bool:
    return bool(
        await Notification.filter(id=notice_id, claimed_by=worker, sent_at__isnull=True).update(
            failed_at=as_utc(now), claimed_by=None, claimed_until=None, failure_reason=reason[:64]
        )
    )


async def backlog(now: datetime) -> int:
    """Notices due and not yet sent or given up."""
    now = as_utc(now)
    return await Notification.filter(
        Q(sent_at__isnull=True, failed_at__isnull=True)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    ).count()
