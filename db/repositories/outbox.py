"""The SMS outbox: queueing (for `resolvers.notifier`, the SmsGateway use cases call) and the
sender's claims, by `OutboxTable`, which the e-mail outbox (db/repositories/email_outbox.py) shares.

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
from tortoise.models import Model

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
UPDATE {table} SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM {table}
    WHERE sent_at IS NULL AND failed_at IS NULL
      AND (next_attempt_at IS NULL OR next_attempt_at <= $3)
      AND (claimed_until IS NULL OR claimed_until < $3)
    ORDER BY priority, id
    LIMIT $4
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""


class OutboxTable:
    """The claims and outcomes of one outbox table. Any model with the sender's bookkeeping
    columns (priority, attempts, next_attempt_at, claimed_by, claimed_until, sent_at, failed_at,
    failure_reason) is an outbox: the SMS notices (`notification`) and the e-mails
    (`email_outbox`) share this, and `resolvers.outbox_sender` sends either."""

    def __init__(self, model: type[Model], table: str) -> None:
        self.model = model
        self.claim_sql = CLAIM_SQL.format(table=table)

    async def claim(self, worker: str, now: datetime, until: datetime, limit: int) -> list:
        """Claim up to `limit` due rows for `worker`, by priority, then oldest first."""
        now, until = as_utc(now), as_utc(until)
        model = self.model
        conn = connections.get("default")
        if conn.capabilities.dialect == "postgres":
            # execute_query drops an UPDATE's RETURNING rows: fetch them
            rows = await conn.execute_query_dict(self.claim_sql, [worker, until, now, limit])
            ids = [row["id"] for row in rows]
        else:
            candidates = (
                await model.filter(_due(now))
                .order_by("priority", "id")
                .limit(limit)
                .values_list("id", flat=True)
            )
            ids = []
            for row_id in candidates:
                taken = await model.filter(_due(now), id=row_id).update(
                    claimed_by=worker, claimed_until=until, attempts=F("attempts") + 1
                )
                if taken:
                    ids.append(row_id)
        if not ids:
            return []
        return await model.filter(id__in=ids).order_by("priority", "id")

    async def mark_sent(self, row_id: int, now: datetime) -> bool:
        """Sent, whoever holds the claim now: the gateway accepted it (and accepts an id once)."""
        return bool(
            await self.model.filter(id=row_id, sent_at__isnull=True).update(
                sent_at=as_utc(now), claimed_by=None, claimed_until=None, failure_reason=None
            )
        )

    async def mark_retry(self, row_id: int, worker: str, at: datetime, reason: str) -> bool:
        return bool(
            await self.model.filter(id=row_id, claimed_by=worker, sent_at__isnull=True).update(
                next_attempt_at=as_utc(at),
                claimed_by=None,
                claimed_until=None,
                failure_reason=reason[:64],
            )
        )

    async def mark_failed(self, row_id: int, worker: str, now: datetime, reason: str) -> bool:
        return bool(
            await self.model.filter(id=row_id, claimed_by=worker, sent_at__isnull=True).update(
                failed_at=as_utc(now),
                claimed_by=None,
                claimed_until=None,
                failure_reason=reason[:64],
            )
        )

    async def backlog(self, now: datetime) -> int:
        """Rows due and not yet sent or given up."""
        now = as_utc(now)
        return await self.model.filter(
            Q(sent_at__isnull=True, failed_at__isnull=True)
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        ).count()


SMS_OUTBOX = OutboxTable(Notification, "notification")
claim = SMS_OUTBOX.claim
mark_sent = SMS_OUTBOX.mark_sent
mark_retry = SMS_OUTBOX.mark_retry
mark_failed = SMS_OUTBOX.mark_failed
backlog = SMS_OUTBOX.backlog
