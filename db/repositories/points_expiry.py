"""The year-end expiry over every account, in batches: each batch is one short transaction that
locks a few hundred subscribers and their points accounts (the locks a redemption takes),
expires their due lots with set-based writes and commits, so a redemption waits at most one
batch. Running it again finds nothing due and writes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.points import PointsAccount, PointsEntry, PointsLot
from domain.calendar import as_utc
from domain.points.ledger import EntryKind, expire_source

BATCH_ACCOUNTS = 100
LOTS_PER_ACCOUNT_HINT = 20


async def expire_all(
    at: datetime,
    *,
    batch: int = BATCH_ACCOUNTS,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Expire every lot due at `at`. Returns (lots expired, points expired)."""
    at = as_utc(at)
    last = 0
    lots_done = points_done = 0
    while True:
        # Only accounts that have something due: a second run reads one index range and stops.
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
        lots, points = await _expire_batch(ids, at)
        lots_done += lots
        points_done += points
        if progress is not None:
            progress(len(ids))
    return lots_done, points_done


async def _insert_allocations(conn, rows: list[tuple[int, int, int]], chunk: int = 2000) -> None:
    """Plain multi-row INSERTs of integers (fewer round trips than one row per statement)."""
    for start in range(0, len(rows), chunk):
        values = ",".join(
            f"({int(e)},{int(lot)},{int(p)})" for e, lot, p in rows[start : start + chunk]
        )
        await conn.execute_query(
            f"INSERT INTO points_allocation (entry_id, lot_id, points) VALUES {values}"
        )


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
