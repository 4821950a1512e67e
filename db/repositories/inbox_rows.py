"""Inbox notices in bulk. The fan-out writes them and their SMS copies with one INSERT per batch
from plain tuples (no model objects: building 1,000 Tortoise models and their SQL costs
more than the database's work), conflicts on (subscriber, source) ignored so a retried batch
writes nothing twice. The live push claims the delivered ones a batch at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models.engage import InboxNotification
from domain.calendar import as_utc
from domain.sms import priority_of


@dataclass(frozen=True)
class NoticeRow:
    subscriber_id: int
    msisdn: str
    deliver_at: datetime
    sms: bool


INBOX_COLUMNS = (
    "subscriber_id", "topic", "source", "title", "body", "created_at", "deliver_at", "sms"
)  # fmt: skip
SMS_COLUMNS = ("msisdn", "kind", "text", "priority", "queued_at", "next_attempt_at", "created_at")
SMS_DEFAULTS = {"attempts": 0}


def _insert(conn: BaseDBAsyncClient, table: str, columns: tuple[str, ...], tail: str) -> str:
    postgres = conn.capabilities.dialect == "postgres"
    marks = ", ".join(f"${i + 1}" if postgres else "?" for i in range(len(columns)))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){tail}"


async def insert_notices(
    conn: BaseDBAsyncClient,
    rows: list[NoticeRow],
    *,
    topic: str,
    source: str,
    title: str,
    body: str,
    now: datetime,
) -> None:
    if not rows:
        return
    now = as_utc(now)
    await conn.execute_many(
        _insert(conn, "inbox_notification", INBOX_COLUMNS, " ON CONFLICT DO NOTHING"),
        [
            [r.subscriber_id, topic, source, title, body, now, as_utc(r.deliver_at), r.sms]
            for r in rows
        ],
    )


async def queue_sms_copies(
    conn: BaseDBAsyncClient, rows: list[NoticeRow], *, kind: str, text: str, now: datetime
) -> None:
    """One outbox row per notice that asked for SMS, due when the notice is delivered."""
    wanted = [r for r in rows if r.sms]
    if not wanted:
        return
    now = as_utc(now)
    columns = (*SMS_COLUMNS, *SMS_DEFAULTS)
    await conn.execute_many(
        _insert(conn, "notification", columns, ""),
        [
            [
                r.msisdn,
                kind,
                text,
                priority_of(kind),
                now,
                None if r.deliver_at <= now else as_utc(r.deliver_at),
                now,
                *SMS_DEFAULTS.values(),
            ]
            for r in wanted
        ],
    )


CLAIM_DUE_SQL = """
UPDATE inbox_notification SET pushed_at = $1
WHERE id IN (
    SELECT id FROM inbox_notification
    WHERE pushed_at IS NULL AND deliver_at <= $1
    ORDER BY deliver_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
RETURNING id, subscriber_id
"""


async def claim_due(now: datetime, limit: int) -> list[tuple[int, int]]:
    """Mark up to `limit` delivered, not yet published notices published, and return them as
    (id, subscriber id): two publishers never claim one notice. On PostgreSQL one UPDATE over
    a `SKIP LOCKED` select; on SQLite, whose one connection serialises transactions, a select
    and a guarded UPDATE in one transaction."""
    now = as_utc(now)
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        rows = await conn.execute_query_dict(CLAIM_DUE_SQL, [now, limit])
        return sorted((r["id"], r["subscriber_id"]) for r in rows)
    async with in_transaction() as tx:
        due = (
            await InboxNotification.filter(pushed_at__isnull=True, deliver_at__lte=now)
            .using_db(tx)
            .order_by("deliver_at", "id")
            .limit(limit)
            .values_list("id", "subscriber_id")
        )
        if due:
            await (
                InboxNotification.filter(id__in=[i for i, _ in due], pushed_at__isnull=True)
                .using_db(tx)
                .update(pushed_at=now)
            )
    return list(due)


async def unclaim(ids: list[int]) -> None:
    await InboxNotification.filter(id__in=ids).update(pushed_at=None)
