"""The number pool: stocking in bulk, searching, and guarded holds.

Holds are one guarded UPDATE (`status` AVAILABLE, or a RESERVED hold already past its end): the
row count tells who won, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tortoise import connections
from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.queryset import QuerySet

from db.models.numbers import NumberGram, NumberReservation, PhoneNumber

COLUMNS = (
    "msisdn",
    "reversed_msisdn",
    "prefix",
    "province",
    "city",
    "status",
    "tags",
    "digits",
    "tier",
    "prestore_fen",
    "min_monthly_fen",
    "contract_months",
)


def _insert_sql(dialect: str) -> str:
    marks = (
        ", ".join(f"${i + 1}" for i in range(len(COLUMNS)))
        if dialect == "postgres"
        else ", ".join("?" for _ in COLUMNS)
    )
    return (
        f"INSERT INTO phone_number ({', '.join(COLUMNS)}) VALUES ({marks}) "
        "ON CONFLICT (msisdn) DO NOTHING"
    )


async def stock(rows: Iterable[tuple], conn=None, index: bool = True) -> None:
    """Insert rows (values in `COLUMNS` order); numbers already stocked are left as they are.
    `index=False` leaves the `contains` index to one `index_contains` at the end (bulk seed)."""
    db = conn or connections.get("default")
    batch = list(rows)
    if batch:
        since = await last_id(db) if index else 0
        await db.execute_many(_insert_sql(db.capabilities.dialect), batch)
        if index:
            await index_contains(db, since)


async def last_id(conn) -> int:
    rows = await conn.execute_query_dict("SELECT MAX(id) AS top FROM phone_number")
    return int(rows[0]["top"] or 0) if rows else 0


GRAM = 4  # digits per indexed substring
GRAM_SHIFT = 2**32  # id = gram * GRAM_SHIFT + phone_id


async def index_contains(conn, after_id: int = 0) -> None:
    """Substring rows of the numbers stocked after `after_id`, written in key order (fast in
    bulk on both databases); rows already there are kept."""
    mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
    windows = ", ".join(f"({p})" for p in range(1, 12 - GRAM + 1))
    await conn.execute_query(
        f"WITH k(p) AS (VALUES {windows}) "
        "INSERT INTO number_gram (id, phone_id) "
        f"SELECT CAST(substr(n.msisdn, k.p, {GRAM}) AS BIGINT) * {GRAM_SHIFT} + n.id, "
        "n.id "
        f"FROM phone_number n CROSS JOIN k WHERE n.id > {mark} ORDER BY 1 "
        "ON CONFLICT (id) DO NOTHING",
        [after_id],
    )


def containing(query: QuerySet, digits: str) -> QuerySet:
    """Numbers with `digits` anywhere. Four digits or more: only the numbers whose index holds
    the first four are read (a key range), then the whole string is checked on them. Fewer
    digits match so many numbers (3 digits: about 1 in 110) that walking the pool in result
    order fills a page after a few thousand rows, faster than reading every match."""
    query = query.filter(msisdn__contains=digits)
    if len(digits) >= GRAM:
        low = int(digits[:GRAM]) * GRAM_SHIFT
        grams = NumberGram.filter(id__gte=low, id__lt=low + GRAM_SHIFT).values("phone_id")
        query = query.filter(id__in=Subquery(grams))
    return query


def available(now: datetime) -> Q:
    return Q(status="AVAILABLE") | Q(status="RESERVED", reserved_until__lte=now)


def with_mask(query: QuerySet, column: str, mask: int, want: int) -> QuerySet:
    """Rows whose `column & mask` equals `want` (masks are ints we build, never client text)."""
    name = f"{column}_m{mask}"
    return query.annotate(**{name: RawSQL(f"({column} & {int(mask)})")}).filter(**{name: int(want)})


def tail_range(query: QuerySet, tail: str) -> QuerySet:
    """Numbers ending in `tail`: an index range on the reversed number."""
    low = tail[::-1]
    return query.filter(reversed_msisdn__gte=low, reversed_msisdn__lt=low + ":")


def head_range(query: QuerySet, head: str) -> QuerySet:
    return query.filter(msisdn__gte=head, msisdn__lt=head + ":")


async def hold(msisdn: str, holder: str, until: datetime, now: datetime, conn=None) -> bool:
    updated = (
        await PhoneNumber.filter(available(now), msisdn=msisdn)
        .using_db(conn)
        .update(status="RESERVED", reserved_by=holder, reserved_until=until)
    )
    return updated == 1


async def give_back(msisdn: str, holder: str, conn=None) -> bool:
    updated = (
        await PhoneNumber.filter(msisdn=msisdn, status="RESERVED", reserved_by=holder)
        .using_db(conn)
        .update(status="AVAILABLE", reserved_by=None, reserved_until=None)
    )
    return updated == 1


async def lock_holder(conn, holder: str) -> None:
    """Serialise one caller's holds until the transaction ends, so that counting their live
    holds and taking one more is atomic (a caller racing themselves never gets past the limit).
    PostgreSQL: a transaction-scoped advisory lock on the holder. SQLite runs one writing
    transaction at a time already."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 7712))", [f"number-hold:{holder}"]
        )


async def live_holds(holder: str, now: datetime, conn=None) -> int:
    return (
        await NumberReservation.filter(holder=holder, released_at=None, expires_at__gt=now)
        .using_db(conn)
        .count()
    )


async def reap(now: datetime) -> int:
    """Expired holds back to the pool; returns how many numbers came back."""
    await NumberReservation.filter(released_at=None, expires_at__lte=now).update(released_at=now)
    return await PhoneNumber.filter(status="RESERVED", reserved_until__lte=now).update(
        status="AVAILABLE", reserved_by=None, reserved_until=None
    )


def order_holder(order_id: object) -> str:
    """Who holds a number while its purchase order waits for the payment."""
    return f"order:{order_id}"


async def hold_for_order(
    conn, msisdn: str, holder: str, order_id: object, until: datetime, now: datetime
) -> bool:
    """The caller's live hold becomes the order's, until the payment deadline."""
    updated = (
        await PhoneNumber.filter(
            msisdn=msisdn, status="RESERVED", reserved_by=holder, reserved_until__gt=now
        )
        .using_db(conn)
        .update(reserved_by=order_holder(order_id), reserved_until=until)
    )
    return updated == 1


async def sell(conn, msisdn: str, order_id: object) -> bool:
    """Paid: the number is sold, unless its hold lapsed and someone else took it meanwhile."""
    updated = (
        await PhoneNumber.filter(
            msisdn=msisdn, status="RESERVED", reserved_by=order_holder(order_id)
        )
        .using_db(conn)
        .update(status="SOLD", reserved_by=None, reserved_until=None)
    )
    return updated == 1


async def end_reservation(conn, reservation_id: object, now: datetime) -> None:
    """The hold is used up (its number is now the order's): it no longer counts as held."""
    await (
        NumberReservation.filter(id=reservation_id, released_at=None)
        .using_db(conn)
        .update(released_at=now)
    )
