"""What a redemption delivers (a code, a data bucket, bill credit) and an item's terms for
`domain.points.mall`: shared by placing a redemption and by settling its payment."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.catalog import AddOn
from db.models.points import MallItem
from db.repositories import balances, mall
from db.repositories.allowance_grants import grant_add_on
from domain.errors import fail
from domain.points.mall import CODE_KINDS, ItemTerms, MallItemKind


def terms_of(item: MallItem) -> ItemTerms:
    return ItemTerms(
        kind=item.kind,
        points_price=item.points_price,
        cash_price_fen=item.cash_price_fen,
        per_subscriber_limit=item.per_subscriber_limit,
        available_from=item.available_from,
        available_until=item.available_until,
        archived=item.archived,
    )


async def deliver(
    conn: BaseDBAsyncClient,
    item: MallItem,
    subscriber_id: int,
    rid: UUID,
    quantity: int,
    now: datetime,
) -> list[str]:
    """Deliver at once what needs no shipping; returns the codes handed out."""
    codes: list[str] = []
    if item.kind in CODE_KINDS:
        codes = await mall.hand_out_codes(conn, item.id, rid, quantity)
    elif item.kind is MallItemKind.DATA_PACK:
        add_on = await AddOn.get_or_none(id=item.add_on_id).using_db(conn)
        if add_on is None:
            raise fail("NOT_AVAILABLE", "This data pack is no longer offered.", "itemId")
        for unit in range(quantity):  # one bucket per unit: a grant key is unique per bucket
            await grant_add_on(conn, subscriber_id, add_on, now, f"M{rid.hex}:{unit}")
    elif item.kind is MallItemKind.BILL_CREDIT:
        await balances.credit(
            conn, subscriber_id, item.credit_fen * quantity, "POINTS_MALL_CREDIT", str(rid), at=now
        )
    return codes
