"""The stored points ledger. Every write runs in the caller's transaction, in this order: the
points-account row is locked (callers that also touch the subscriber lock it first), the lots are
read, `domain.points.ledger` decides, and the lots and the cached balance move by guarded updates
(`remaining >= n`, `balance >= n`) with the entry and its allocations. An entry's source key is
unique, so an event already recorded changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.functions import Sum
from tortoise.queryset import QuerySet

from db.models.points import PointsAccount, PointsAllocation, PointsEntry, PointsLot
from domain.calendar import as_utc
from domain.errors import fail
from domain.points.ledger import (
    Allocation,
    EntryKind,
    Lot,
    check_reason,
    check_source,
    expire_source,
    lot_expires_at,
    lot_year,
    owed_taken,
    plan_burn,
    plan_clawback,
    plan_expiry,
    plan_refund,
)


class LedgerConflict(RuntimeError):
    """A guarded update matched no row: the lock order was broken somewhere."""


# A burn on PostgreSQL in one round trip: the lots, the cached balance (both guarded), the entry
# and its allocations. $1 lot ids, $2 points per lot, $3 the points, $4 the account id,
# $5 subscriber id, $6 kind, $7 source, $8 note, $9 the instant.
_PG_BURN = """
WITH v AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS v(lot_id, points)),
lots AS (
    UPDATE points_lot l SET remaining = l.remaining - v.points FROM v
    WHERE l.id = v.lot_id AND l.remaining >= v.points RETURNING l.id
), acc AS (
    UPDATE points_account SET balance = balance - $3 WHERE id = $4 AND balance >= $3
    RETURNING balance
), entry AS (
    INSERT INTO points_entry (subscriber_id, kind, amount, balance_after, source, note, at)
    SELECT $5, $6, -$3, acc.balance, $7, $8, $9 FROM acc RETURNING id, balance_after
), alloc AS (
    INSERT INTO points_allocation (entry_id, lot_id, points)
    SELECT entry.id, v.lot_id, v.points FROM entry, v
)
SELECT (SELECT COUNT(*) FROM lots) AS lots, entry.id AS entry_id, entry.balance_after
FROM entry
"""


async def _burn_pg(
    conn: BaseDBAsyncClient,
    account: PointsAccount,
    kind: EntryKind,
    points: int,
    source: str,
    at: datetime,
    allocations: Sequence[Allocation],
    note: str,
) -> PointsEntry:
    at = as_utc(at)
    subscriber_id = account.subscriber_id  # type: ignore[attr-defined]
    _, rows = await conn.execute_query(
        _PG_BURN,
        [
            [a.lot_id for a in allocations],
            [a.points for a in allocations],
            points,
            account.id,
            subscriber_id,
            kind.value,
            source,
            note[:200],
            at,
        ],
    )
    if not rows or int(rows[0]["lots"]) != len(allocations):
        raise LedgerConflict(f"account {account.id} cannot burn {points} as planned")
    account.balance = int(rows[0]["balance_after"])
    return PointsEntry(
        id=int(rows[0]["entry_id"]),
        subscriber_id=subscriber_id,
        kind=kind,
        amount=-points,
        balance_after=account.balance,
        source=source,
        note=note[:200],
        at=at,
    )


async def lock_account(conn: BaseDBAsyncClient, subscriber_id: int) -> PointsAccount:
    """Lock the account row, creating it first if the subscriber has none yet (one statement
    in the common case, where it exists)."""
    query = PointsAccount.filter(subscriber_id=subscriber_id).select_for_update().using_db(conn)
    if (account := await query.first()) is not None:
        return account
    await PointsAccount.bulk_create(
        [PointsAccount(subscriber_id=subscriber_id)], ignore_conflicts=True, using_db=conn
    )
    account = await query.first()
    assert account is not None
    return account


def _lot(row: PointsLot) -> Lot:
    return Lot(row.id, row.amount, row.remaining, as_utc(row.expires_at), row.source)


async def _open_lots(conn: BaseDBAsyncClient, subscriber_id: int) -> list[Lot]:
    rows = await PointsLot.filter(subscriber_id=subscriber_id, remaining__gt=0).using_db(conn)
    return [_lot(r) for r in rows]


async def _entry(conn: BaseDBAsyncClient, source: str) -> PointsEntry | None:
    return await PointsEntry.get_or_none(source=source).using_db(conn)


async def _move(
    conn: BaseDBAsyncClient,
    account: PointsAccount,
    kind: EntryKind,
    amount: int,
    source: str,
    at: datetime,
    allocations: Sequence[Allocation] = (),
    *,
    note: str = "",
    actor: str | None = None,
    lot_id: int | None = None,
) -> PointsEntry:
    """Record one entry: its allocations move the lots, `amount` moves the cached balance."""
    sign = 1 if amount > 0 else -1
    for a in allocations:
        if sign < 0:
            changes = {"remaining": F("remaining") - a.points}
            if kind is EntryKind.EXPIRE:
                changes["expired"] = F("expired") + a.points
            moved = await (
                PointsLot.filter(id=a.lot_id, remaining__gte=a.points)
                .using_db(conn)
                .update(**changes)
            )
        else:
            moved = await (
                PointsLot.filter(id=a.lot_id)
                .using_db(conn)
                .update(remaining=F("remaining") + a.points)
            )
        if not moved:
            raise LedgerConflict(f"lot {a.lot_id} no longer holds {a.points}")
    if amount and not await PointsAccount.filter(
        id=account.id, balance__gte=max(-amount, 0)
    ).using_db(conn).update(balance=F("balance") + amount):
        raise LedgerConflict(f"account {account.id} cannot move by {amount}")
    account.balance += amount
    entry = await PointsEntry.create(
        subscriber_id=account.subscriber_id,  # type: ignore[attr-defined]
        kind=kind,
        amount=amount,
        balance_after=account.balance,
        source=source,
        note=note[:200],
        actor=actor,
        lot_id=lot_id,
        at=as_utc(at),
        using_db=conn,
    )
    if allocations:
        await PointsAllocation.bulk_create(
            [
                PointsAllocation(entry_id=entry.id, lot_id=a.lot_id, points=a.points)
                for a in allocations
            ],
            using_db=conn,
        )
    return entry


async def _new_lot(
    conn: BaseDBAsyncClient, subscriber_id: int, points: int, at: datetime, source: str
) -> PointsLot:
    return await PointsLot.create(
        subscriber_id=subscriber_id,
        year=lot_year(at),
        amount=points,
        remaining=0,  # the entry that creates it moves the points in
        earned_at=as_utc(at),
        expires_at=lot_expires_at(at),
        source=source,
        using_db=conn,
    )


async def _live_lots(conn: BaseDBAsyncClient, account: PointsAccount, at: datetime) -> list[Lot]:
    """The locked account's open lots once what is due at `at` has expired (one read when
    nothing is due, the common case)."""
    lots = await _open_lots(conn, account.subscriber_id)  # type: ignore[attr-defined]
    if not plan_expiry(lots, at):
        return lots
    await expire_due(conn, account, at, lots)
    return await _open_lots(conn, account.subscriber_id)  # type: ignore[attr-defined]


async def expire_due(
    conn: BaseDBAsyncClient,
    account: PointsAccount,
    at: datetime,
    open_lots: list[Lot] | None = None,
) -> int:
    """Expire what is due in one locked account; 0 when nothing is (a second run)."""
    if open_lots is None:
        open_lots = await _open_lots(conn, account.subscriber_id)  # type: ignore[attr-defined]
    lots = {lot.id: lot for lot in open_lots}
    due = plan_expiry(lots.values(), at)
    total = 0
    for expires_at in sorted({lots[a.lot_id].expires_at for a in due}):
        part = [a for a in due if lots[a.lot_id].expires_at == expires_at]
        points = sum(a.points for a in part)
        source = expire_source(account.subscriber_id, expires_at)  # type: ignore[attr-defined]
        if await _entry(conn, source) is not None:
            source = f"{source}:{as_utc(at):%Y%m%dT%H%M%S%f}"
        await _move(conn, account, EntryKind.EXPIRE, -points, source, at, part, note="积分到期")
        total += points
    return total


async def earn(
    conn: BaseDBAsyncClient,
    subscriber_id: int,
    source: str,
    points: int,
    at: datetime,
    note: str = "",
) -> PointsEntry | None:
    """Earn `points` once per source into a new lot; what a clawback left owed is settled first."""
    source = check_source(source)
    if points <= 0:
        return None
    account = await lock_account(conn, subscriber_id)
    if await _entry(conn, source) is not None:
        return None
    await expire_due(conn, account, at)
    lot = await _new_lot(conn, subscriber_id, points, at, source)
    entry = await _move(
        conn,
        account,
        EntryKind.EARN,
        points,
        source,
        at,
        [Allocation(lot.id, points)],
        note=note,
        lot_id=lot.id,
    )
    if taken := owed_taken(account.owed, points):
        await PointsAccount.filter(id=account.id).using_db(conn).update(owed=F("owed") - taken)
        account.owed -= taken
        await _move(
            conn,
            account,
            EntryKind.CLAWBACK,
            -taken,
            f"OWED:{source}",
            at,
            [Allocation(lot.id, taken)],
            note="抵扣此前未扣回的积分",
        )
    return entry


async def redeem(
    conn: BaseDBAsyncClient,
    subscriber_id: int,
    source: str,
    points: int,
    at: datetime,
    note: str = "",
    *,
    fresh: bool = False,
) -> PointsEntry:
    """Burn `points`, earliest-expiring lots first (INSUFFICIENT_POINTS when they fall short).
    `fresh`: the source is new by construction (a new order's id), so it is not looked up (its
    unique index still refuses a duplicate)."""
    source = check_source(source)
    account = await lock_account(conn, subscriber_id)
    if not fresh and (found := await _entry(conn, source)) is not None:
        return found
    allocations = plan_burn(await _live_lots(conn, account, at), points, at)
    if conn.capabilities.dialect == "postgres" and points > 0:
        return await _burn_pg(
            conn, account, EntryKind.REDEEM, points, source, at, allocations, note
        )
    return await _move(conn, account, EntryKind.REDEEM, -points, source, at, allocations, note=note)


async def allocations_of(conn: BaseDBAsyncClient, entry_id: int) -> list[Allocation]:
    rows = await PointsAllocation.filter(entry_id=entry_id).using_db(conn).order_by("id")
    return [Allocation(r.lot_id, r.points) for r in rows]  # type: ignore[attr-defined]


async def refund(
    conn: BaseDBAsyncClient, subscriber_id: int, redeemed_source: str, at: datetime, note: str = ""
) -> PointsEntry | None:
    """Give a redemption's points back to the lots they came from, once; the part that lands in
    a lot already past expiry expires again at once."""
    account = await lock_account(conn, subscriber_id)
    source = f"REFUND:{redeemed_source}"
    redeemed = await _entry(conn, redeemed_source)
    if redeemed is None or redeemed.kind is not EntryKind.REDEEM or await _entry(conn, source):
        return None
    burned = await allocations_of(conn, redeemed.id)
    rows = await PointsLot.filter(id__in=[a.lot_id for a in burned]).using_db(conn)
    returned, again = plan_refund({r.id: _lot(r) for r in rows}, burned, at)
    entry = await _move(
        conn, account, EntryKind.REFUND, -redeemed.amount, source, at, returned, note=note
    )
    if again:
        points = sum(a.points for a in again)
        await _move(
            conn, account, EntryKind.EXPIRE, -points, f"EXPIRE:{source}", at, again, note="积分到期"
        )
    return entry


async def clawback(
    conn: BaseDBAsyncClient, subscriber_id: int, earned_source: str, at: datetime, note: str = ""
) -> PointsEntry | None:
    """Take back what `earned_source` earned, once: its own lot first, then other live lots;
    the rest is owed and settled from the next earnings."""
    account = await lock_account(conn, subscriber_id)
    source = f"CLAWBACK:{earned_source}"
    earned = await _entry(conn, earned_source)
    if earned is None or earned.kind is not EntryKind.EARN or await _entry(conn, source):
        return None
    lots = await _live_lots(conn, account, at)
    allocations, owed = plan_clawback(lots, earned.lot_id, earned.amount, at)
    taken = sum(a.points for a in allocations)
    entry = await _move(
        conn, account, EntryKind.CLAWBACK, -taken, source, at, allocations, note=note
    )
    if owed:
        await PointsAccount.filter(id=account.id).using_db(conn).update(owed=F("owed") + owed)
    return entry


async def adjust(
    conn: BaseDBAsyncClient,
    subscriber_id: int,
    source: str,
    delta: int,
    at: datetime,
    reason: str,
    actor: str,
) -> PointsEntry:
    source = check_source(source)
    reason = check_reason(reason)
    account = await lock_account(conn, subscriber_id)
    if (found := await _entry(conn, source)) is not None:
        if found.kind is not EntryKind.ADJUST or found.amount != delta:
            raise fail(
                "IDEMPOTENCY_KEY_REUSED",
                "This idempotencyKey was already used for a different adjustment.",
                "idempotencyKey",
            )
        return found
    await expire_due(conn, account, at)
    if delta > 0:
        lot = await _new_lot(conn, subscriber_id, delta, at, source)
        allocations = [Allocation(lot.id, delta)]
        lot_id: int | None = lot.id
    else:
        allocations = plan_burn(await _open_lots(conn, subscriber_id), -delta, at)
        lot_id = None
    return await _move(
        conn,
        account,
        EntryKind.ADJUST,
        delta,
        source,
        at,
        allocations,
        note=reason,
        actor=actor,
        lot_id=lot_id,
    )


# --- reading ----------------------------------------------------------------------------------


async def account_of(subscriber_id: int) -> PointsAccount | None:
    return await PointsAccount.get_or_none(subscriber_id=subscriber_id)


async def unexpired_by_expiry(subscriber_id: int, now: datetime) -> list[tuple[datetime, int]]:
    """Points still spendable, summed per expiry instant, soonest first."""
    rows = (
        await PointsLot.filter(
            subscriber_id=subscriber_id, remaining__gt=0, expires_at__gt=as_utc(now)
        )
        .annotate(points=Sum("remaining"))
        .group_by("expires_at")
        .order_by("expires_at")
        .values("expires_at", "points")
    )
    return [(as_utc(r["expires_at"]), int(r["points"])) for r in rows]


def entries_of(subscriber_id: int) -> QuerySet[PointsEntry]:
    return PointsEntry.filter(subscriber_id=subscriber_id)


async def lots_of(subscriber_id: int) -> list[PointsLot]:
    return await PointsLot.filter(subscriber_id=subscriber_id).order_by("id")


async def expiring_soon(now: datetime, until: datetime) -> list[tuple[int, str, datetime, int]]:
    """(subscriber id, msisdn, expiry instant, points) of points expiring in (now, until]."""
    from db.models.accounts import Subscriber

    rows = (
        await PointsLot.filter(
            remaining__gt=0, expires_at__gt=as_utc(now), expires_at__lte=as_utc(until)
        )
        .annotate(points=Sum("remaining"))
        .group_by("subscriber_id", "expires_at")
        .order_by("subscriber_id", "expires_at")
        .values("subscriber_id", "expires_at", "points")
    )
    msisdns = dict(
        await Subscriber.filter(id__in={r["subscriber_id"] for r in rows}).values_list(
            "id", "msisdn"
        )
    )
    return [
        (r["subscriber_id"], msisdns[r["subscriber_id"]], as_utc(r["expires_at"]), int(r["points"]))
        for r in rows
    ]
