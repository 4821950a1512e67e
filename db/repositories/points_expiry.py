"""The year-end expiry over every account, in batches: each batch is one short transaction that
locks a few hundred subscribers and their points accounts (the locks a redemption takes),
expires their due lots with set-based writes and commits, so a redemption waits at most one
batch. Running it again finds nothing due and writes nothing.

On PostgreSQL a batch is three statements: lock the subscribers, lock their accounts, and one
statement of data-modifying CTEs that zeroes the due lots, writes one EXPIRE entry per
(account, expiry instant) with its running `balance_after`, the allocations, and moves the cached
balances (`_PG_EXPIRE`). Elsewhere (SQLite) the same writes are made a few statements at a time."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from tortoise import connections
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.points import PointsAccount, PointsEntry, PointsLot
from domain.calendar import as_utc
from domain.points.ledger import EntryKind, expire_source

BATCH_ACCOUNTS = 500
LOTS_PER_ACCOUNT_HINT = 20

_PG_DUE_ACCOUNTS = """
SELECT subscriber_id FROM points_lot
WHERE remaining > 0 AND expires_at <= $1 AND subscriber_id > $2
GROUP BY subscriber_id ORDER BY subscriber_id LIMIT $3
"""

# $1 subscriber ids, $2 the instant, $3 a suffix that keeps a source unique if the plain one
# was already used (a refund's re-expiry at the same instant). All CTEs see one snapshot; the
# accounts are locked, so no lot moves under them meanwhile.
_PG_EXPIRE = """
WITH due AS (
    SELECT id, subscriber_id, remaining, expires_at FROM points_lot
    WHERE subscriber_id = ANY($1::bigint[]) AND remaining > 0 AND expires_at <= $2
), zeroed AS (
    UPDATE points_lot l SET expired = l.expired + d.remaining, remaining = 0
    FROM due d WHERE l.id = d.id
), groups AS (
    SELECT subscriber_id, expires_at, SUM(remaining) AS points,
        'EXPIRE:' || subscriber_id || ':'
            || to_char(expires_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"') AS base
    FROM due GROUP BY subscriber_id, expires_at
), numbered AS (
    SELECT g.subscriber_id, g.expires_at, g.points,
        a.balance - SUM(g.points) OVER (
            PARTITION BY g.subscriber_id ORDER BY g.expires_at) AS balance_after,
        CASE WHEN EXISTS (SELECT 1 FROM points_entry e WHERE e.source = g.base)
            THEN g.base || ':' || $3 ELSE g.base END AS source
    FROM groups g JOIN points_account a ON a.subscriber_id = g.subscriber_id
), entries AS (
    INSERT INTO points_entry (subscriber_id, kind, amount, balance_after, source, note, at)
    SELECT subscriber_id, 'EXPIRE', -points, balance_after, source, '积分到期', $2 FROM numbered
    RETURNING id, source
), allocated AS (
    INSERT INTO points_allocation (entry_id, lot_id, points)
    SELECT e.id, d.id, d.remaining FROM due d
    JOIN numbered n ON n.subscriber_id = d.subscriber_id AND n.expires_at = d.expires_at
    JOIN entries e ON e.source = n.source
), balances AS (
    UPDATE points_account a SET balance = a.balance - t.total
    FROM (SELECT subscriber_id, SUM(points) AS total FROM groups GROUP BY subscriber_id) t
    WHERE a.subscriber_id = t.subscriber_id
)
SELECT (SELECT COUNT(*) FROM due) AS lots, (SELECT COALESCE(SUM(points), 0) FROM groups) AS points
"""


def _postgres(conn) -> bool:
    return conn.capabilities.dialect == "postgres"


async def expire_all(
    at: datetime,
    *,
    batch: int = BATCH_ACCOUNTS,
    progress: Callable[[int], None] | None = None,
    parallel: int = 1,
) -> tuple[int, int]:
    """Expire every lot due at `at`. Returns (lots expired, points expired). On PostgreSQL up
    to `parallel` batches (disjoint accounts, so they never wait for each other) run at once."""
    at = as_utc(at)
    last = 0
    totals = [0, 0]
    conn = connections.get("default")
    postgres = _postgres(conn)
    running: set[asyncio.Task] = set()
    sizes: dict[asyncio.Task, int] = {}

    def done(task: asyncio.Task) -> None:
        lots, points = task.result()
        size = sizes.pop(task)
        totals[0] += lots
        totals[1] += points
        if progress is not None:
            progress(size)

    try:
        while True:
            # Only accounts with something due: a second run reads one index range and stops.
            if postgres:
                _, rows = await conn.execute_query(_PG_DUE_ACCOUNTS, [at, last, batch])
                ids = [int(r["subscriber_id"]) for r in rows]
            else:
                due = await (
                    PointsLot.filter(remaining__gt=0, expires_at__lte=at, subscriber_id__gt=last)
                    .order_by("subscriber_id")
                    .limit(batch * LOTS_PER_ACCOUNT_HINT)
                    .values_list("subscriber_id", flat=True)
                )
                ids = sorted(set(due))[:batch]
            if not ids:
                break
            last = ids[-1]
            if not postgres or parallel <= 1:
                expire = _expire_batch_pg if postgres else _expire_batch
                lots, points = await expire(ids, at)
                totals[0] += lots
                totals[1] += points
                if progress is not None:
                    progress(len(ids))
                continue
            task = asyncio.create_task(_expire_batch_pg(ids, at))
            sizes[task] = len(ids)
            running.add(task)
            if len(running) >= parallel:
                finished, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for t in finished:
                    done(t)
        if running:
            finished, running = await asyncio.wait(running)
            for t in finished:
                done(t)
    finally:
        for t in running:
            t.cancel()
    return totals[0], totals[1]


async def _insert_allocations(conn, rows: list[tuple[int, int, int]], chunk: int = 2000) -> None:
    """Plain multi-row INSERTs of integers (fewer round trips than one row per statement)."""
    for start in range(0, len(rows), chunk):
        values = ",".join(
            f"({int(e)},{int(lot)},{int(p)})" for e, lot, p in rows[start : start + chunk]
        )
        await conn.execute_query(
            f"INSERT INTO points_allocation (entry_id, lot_id, points) VALUES {values}"
        )


async def _expire_batch_pg(subscriber_ids: list[int], at: datetime) -> tuple[int, int]:
    async with in_transaction() as conn:
        # The hall's lock order: subscriber rows first (as every order and redemption takes
        # them), then their points accounts; the entries' foreign keys need the former anyway.
        await conn.execute_query(
            "SELECT id FROM subscriber WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
            [subscriber_ids],
        )
        await conn.execute_query(
            "SELECT id FROM points_account WHERE subscriber_id = ANY($1::bigint[]) "
            "ORDER BY subscriber_id FOR UPDATE",
            [subscriber_ids],
        )
        _, rows = await conn.execute_query(
            _PG_EXPIRE, [subscriber_ids, at, f"{at:%Y%m%dT%H%M%S%f}"]
        )
        return int(rows[0]["lots"]), int(rows[0]["points"])


async def _expire_batch(subscriber_ids: list[int], at: datetime) -> tuple[int, int]:
    async with in_transaction() as conn:
        # The hall's lock order: subscriber rows first (as every order and redemption takes
        # them), then their points accounts; the entries' foreign keys need the former anyway.
        await (
            Subscriber.filter(id__in=subscriber_ids)
            .select_for_update()
            .using_db(conn)
            .order_by("id")
        )
        accounts = {
            a.subscriber_id: a  # type: ignore[attr-defined]
            for a in await PointsAccount.filter(subscriber_id__in=subscriber_ids)
            .select_for_update()
            .using_db(conn)
            .order_by("subscriber_id")
        }
        due = await (
            PointsLot.filter(subscriber_id__in=subscriber_ids, remaining__gt=0, expires_at__lte=at)
            .using_db(conn)
            .values("id", "subscriber_id", "remaining", "expires_at")
        )
        if not due:
            return 0, 0
        groups: dict[tuple[int, datetime], list[dict]] = defaultdict(list)
        for lot in due:
            groups[(lot["subscriber_id"], as_utc(lot["expires_at"]))].append(lot)
        sources = {key: expire_source(key[0], key[1]) for key in groups}
        taken = set(
            await PointsEntry.filter(source__in=list(sources.values()))
            .using_db(conn)
            .values_list("source", flat=True)
        )
        entries = []
        by_subscriber: dict[int, int] = defaultdict(int)
        for key, lots in sorted(groups.items()):
            subscriber_id = key[0]
            points = sum(lot["remaining"] for lot in lots)
            by_subscriber[subscriber_id] += points
            source = sources[key]
            if source in taken:  # a refund's re-expiry already used it: keep sources unique
                source = f"{source}:{at:%Y%m%dT%H%M%S%f}"
                sources[key] = source
            entries.append(
                PointsEntry(
                    subscriber_id=subscriber_id,
                    kind=EntryKind.EXPIRE,
                    amount=-points,
                    balance_after=accounts[subscriber_id].balance - by_subscriber[subscriber_id],
                    source=source,
                    note="积分到期",
                    at=at,
                )
            )
        await PointsEntry.bulk_create(entries, using_db=conn)
        entry_ids = dict(
            await PointsEntry.filter(source__in=list(sources.values()))
            .using_db(conn)
            .values_list("source", "id")
        )
        await _insert_allocations(
            conn,
            [
                (entry_ids[sources[key]], lot["id"], lot["remaining"])
                for key, lots in groups.items()
                for lot in lots
            ],
        )
        # Each lot's whole remainder expires; the accounts are locked, so nothing moved it since.
        await (
            PointsLot.filter(subscriber_id__in=subscriber_ids, remaining__gt=0, expires_at__lte=at)
            .using_db(conn)
            .update(expired=F("expired") + F("remaining"), remaining=0)
        )
        # The cached balance is, by definition, what the lots hold: recompute it in one statement.
        ids = ",".join(str(int(i)) for i in subscriber_ids)
        await conn.execute_query(
            "UPDATE points_account SET balance = COALESCE((SELECT SUM(l.remaining) FROM "
            "points_lot l WHERE l.subscriber_id = points_account.subscriber_id), 0) "
            f"WHERE subscriber_id IN ({ids})"
        )
        return len(due), sum(by_subscriber.values())
