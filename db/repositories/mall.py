"""Mall items, their code pools, stock and per-subscriber counts, and redemptions.

Stock and the per-subscriber count move by guarded single-row updates (`stock >= n`,
`quantity <= limit - n`) in the redemption's transaction; a code is handed out by a guarded
update on its still-empty `redemption_id`, so each code goes to exactly one redemption. Code
items keep `stock` equal to the codes still free."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from db.models.points import MallAudit, MallCode, MallItem, MallTaken, Redemption
from domain.calendar import as_utc
from domain.points.mall import MallCategory, RedemptionStatus, limit_reached, out_of_stock

AUDITED = [
    "name",
    "category",
    "kind",
    "points_price",
    "cash_price_fen",
    "stock",
    "per_subscriber_limit",
    "image_url",
    "description",
    "available_from",
    "available_until",
    "archived",
    "add_on_id",
    "credit_fen",
    "version",
]


def snapshot(item: MallItem) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in AUDITED:
        value = getattr(item, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


async def audit(
    conn: BaseDBAsyncClient,
    item_id: str,
    action: str,
    actor: str,
    before: dict | None,
    after: dict | None,
    at: datetime,
) -> None:
    await MallAudit.create(
        item_id=item_id,
        action=action,
        actor=actor,
        before=before,
        after=after,
        at=as_utc(at),
        using_db=conn,
    )


def items(category: MallCategory | None, now: datetime, *, staff: bool) -> QuerySet[MallItem]:
    """Customers see what is on sale now; marketing sees everything not archived."""
    query = MallItem.filter(archived=False)
    if category is not None:
        query = query.filter(category=category)
    if not staff:
        now = as_utc(now)
        query = query.filter(
            (Q(available_from__isnull=True) | Q(available_from__lte=now))
            & (Q(available_until__isnull=True) | Q(available_until__gt=now))
        )
    return query


async def item_by_id(item_id: str) -> MallItem | None:
    return await MallItem.get_or_none(id=(item_id or "").strip()[:40])


async def items_by_ids(ids: list[str]) -> dict[str, MallItem]:
    return {i.id: i for i in await MallItem.filter(id__in=ids)}


async def take_stock(conn: BaseDBAsyncClient, item_id: str, quantity: int) -> None:
    if not await (
        MallItem.filter(id=item_id, stock__gte=quantity)
        .using_db(conn)
        .update(stock=F("stock") - quantity)
    ):
        raise out_of_stock()


async def return_stock(conn: BaseDBAsyncClient, item_id: str, quantity: int) -> None:
    await MallItem.filter(id=item_id).using_db(conn).update(stock=F("stock") + quantity)


async def take_limit(
    conn: BaseDBAsyncClient, item_id: str, subscriber_id: int, quantity: int, limit: int | None
) -> None:
    query = MallTaken.filter(item_id=item_id, subscriber_id=subscriber_id)
    if limit is not None:
        query = query.filter(quantity__lte=limit - quantity)
    if await query.using_db(conn).update(quantity=F("quantity") + quantity):
        return  # the common case: one guarded statement
    await MallTaken.bulk_create(
        [MallTaken(item_id=item_id, subscriber_id=subscriber_id, quantity=0)],
        ignore_conflicts=True,
        using_db=conn,
    )
    if not await query.using_db(conn).update(quantity=F("quantity") + quantity):
        raise limit_reached(limit or 0)


async def return_limit(
    conn: BaseDBAsyncClient, item_id: str, subscriber_id: int, quantity: int
) -> None:
    await (
        MallTaken.filter(item_id=item_id, subscriber_id=subscriber_id, quantity__gte=quantity)
        .using_db(conn)
        .update(quantity=F("quantity") - quantity)
    )


async def hand_out_codes(
    conn: BaseDBAsyncClient, item_id: str, redemption_id: UUID, quantity: int
) -> list[str]:
    """Give `quantity` free codes to one redemption (the item's stock was taken first, which
    serialises this item's redemptions, so a free code is never contested for long)."""
    codes: list[str] = []
    while len(codes) < quantity:
        free = (
            await MallCode.filter(item_id=item_id, redemption_id__isnull=True)
            .using_db(conn)
            .order_by("id")
            .first()
        )
        if free is None:
            raise out_of_stock()
        if await (
            MallCode.filter(id=free.id, redemption_id__isnull=True)
            .using_db(conn)
            .update(redemption_id=redemption_id)
        ):
            codes.append(free.code)
    return codes


async def add_codes(item_id: str, codes: list[str], actor: str, at: datetime) -> tuple[int, int]:
    """Upload codes to an item's pool; codes already in it are skipped. Returns (added, stock)."""
    async with in_transaction() as conn:
        item = await MallItem.filter(id=item_id).select_for_update().using_db(conn).first()
        assert item is not None
        known = set(
            await MallCode.filter(item_id=item_id, code__in=codes)
            .using_db(conn)
            .values_list("code", flat=True)
        )
        fresh = [c for c in dict.fromkeys(codes) if c not in known]
        await MallCode.bulk_create(
            [MallCode(item_id=item_id, code=c) for c in fresh], using_db=conn
        )
        await (
            MallItem.filter(id=item_id)
            .using_db(conn)
            .update(stock=F("stock") + len(fresh), version=F("version") + 1)
        )
        await audit(conn, item_id, "CODES_ADDED", actor, None, {"added": len(fresh)}, at)
        stock = await MallItem.filter(id=item_id).using_db(conn).values_list("stock", flat=True)
    return len(fresh), int(stock[0])


def redemptions_of(subscriber_id: int) -> QuerySet[Redemption]:
    return Redemption.filter(subscriber_id=subscriber_id)


async def redemption_by_key(
    conn: BaseDBAsyncClient | None, subscriber_id: int, key: str
) -> Redemption | None:
    query = Redemption.filter(subscriber_id=subscriber_id, idempotency_key=key)
    return await (query.using_db(conn) if conn else query).first()


async def move_status(
    conn: BaseDBAsyncClient,
    redemption_id: UUID,
    allowed: frozenset[RedemptionStatus] | set[RedemptionStatus],
    target: RedemptionStatus,
    **changes: Any,
) -> bool:
    return bool(
        await Redemption.filter(id=redemption_id, status__in=list(allowed))
        .using_db(conn)
        .update(status=target, **changes)
    )
