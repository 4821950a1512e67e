"""The number pool: stocking in bulk, searching, and guarded holds.

Holds are one guarded UPDATE (`status` AVAILABLE, or a RESERVED hold already past its end): the
row count tells who won, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tortoise import connections
from tortoise.expressions import Q

from db.models.numbers import NumberReservation, PhoneNumber
from domain.numbers.search import NumberFilter

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


def available(now: datetime) -> Q:
    return Q(status="AVAILABLE") | Q(status="RESERVED", reserved_until__lte=now)


SEARCH_COLUMNS = (
    "msisdn, province, city, tags, tier, prestore_fen, min_monthly_fen, contract_months"
)


class _Where:
    """A WHERE clause and its parameters in the connection's placeholder style."""

    def __init__(self, dialect: str) -> None:
        self.postgres = dialect == "postgres"
        self.terms: list[str] = []
        self.params: list[object] = []

    def mark(self, value: object) -> str:
        self.params.append(value)
        return f"${len(self.params)}" if self.postgres else "?"

    @property
    def sql(self) -> str:
        return " AND ".join(self.terms)


def _where(f: NumberFilter, now: datetime, dialect: str) -> _Where:
    """The numbers on sale at `now` that pass every filter. Masks are ints we build, inlined;
    everything from the client is a parameter.

    - `prefix` / `endsWith`: a key range on the number / on the number read backwards;
    - `contains` of 4 digits or more: only the numbers whose substring index holds its first 4
      (one key range of `number_gram`), then the whole string is checked on them. Fewer digits
      match so many numbers (3 digits: about 1 in 110) that walking the pool in result order
      fills a page sooner than reading every match;
    - `tags`, `excludeDigits`: bitmasks, carried by the (tier, msisdn) index the walk reads."""
    w = _Where(dialect)
    until = PhoneNumber._meta.fields_map["reserved_until"].to_db_value(now, PhoneNumber)
    w.terms.append(
        f"(status = 'AVAILABLE' OR (status = 'RESERVED' AND reserved_until <= {w.mark(until)}))"
    )
    if f.province:
        w.terms.append(f"province = {w.mark(f.province)}")
    if f.city:
        w.terms.append(f"city = {w.mark(f.city)}")
    if f.prefix:
        w.terms.append(f"msisdn >= {w.mark(f.prefix)} AND msisdn < {w.mark(f.prefix + ':')}")
    if f.ends_with:
        low = f.ends_with[::-1]
        w.terms.append(
            f"reversed_msisdn >= {w.mark(low)} AND reversed_msisdn < {w.mark(low + ':')}"
        )
    if f.contains:
        w.terms.append(f"msisdn LIKE {w.mark('%' + f.contains + '%')}")
        if len(f.contains) >= GRAM:
            low = int(f.contains[:GRAM]) * GRAM_SHIFT
            w.terms.append(
                "id IN (SELECT phone_id FROM number_gram "
                f"WHERE id >= {w.mark(low)} AND id < {w.mark(low + GRAM_SHIFT)})"
            )
    if f.tags:
        w.terms.append(f"(tags & {int(f.tag_mask)}) = {int(f.tag_mask)}")
    if f.exclude_digits:
        w.terms.append(f"(digits & {int(f.excluded_mask)}) = 0")
    if f.max_prestore_fen is not None:
        w.terms.append(f"prestore_fen <= {w.mark(f.max_prestore_fen)}")
    if f.max_min_monthly_fen is not None:
        w.terms.append(f"min_monthly_fen <= {w.mark(f.max_min_monthly_fen)}")
    return w


async def search(
    f: NumberFilter, now: datetime, after: tuple[int, str] | None, limit: int
) -> list[tuple]:
    """Up to `limit` matches in (tier, msisdn) order after the key `after`, as tuples in
    `SEARCH_COLUMNS` order: one statement, no model objects."""
    conn = connections.get("default")
    w = _where(f, now, conn.capabilities.dialect)
    if after is not None:
        w.terms.append(f"(tier, msisdn) > ({w.mark(after[0])}, {w.mark(after[1])})")
    _, rows = await conn.execute_query(
        f"SELECT {SEARCH_COLUMNS} FROM phone_number WHERE {w.sql} "
        f"ORDER BY tier, msisdn LIMIT {int(limit)}",
        w.params,
    )
    return [tuple(row) for row in rows]


async def facet_groups(f: NumberFilter, now: datetime) -> list[tuple[int, int, int]]:
    """(tier, tag mask, count) of the matches: one grouped statement."""
    conn = connections.get("default")
    w = _where(f, now, conn.capabilities.dialect)
    _, rows = await conn.execute_query(
        f"SELECT tier, tags, COUNT(*) FROM phone_number WHERE {w.sql} GROUP BY tier, tags",
        w.params,
    )
    return [(int(tier), int(tags), int(n)) for tier, tags, n in rows]


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


async def end_reservation(conn, reservation_id: object, line_id: int, now: datetime) -> None:
    """The hold is used up (its number is now the order of the line `line_id`): it no longer
    counts as held."""
    await (
        NumberReservation.filter(id=reservation_id, released_at=None)
        .using_db(conn)
        .update(released_at=now, line_id=line_id)
    )
