"""Flash sales for marketing (create, update before the start, cancel; audited like campaigns)
and customers (book, list, read, with `remaining` from Redis)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from strawberry.dataloader import DataLoader
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.flash import FlashSale
from db.repositories import catalog
from db.repositories import flash_sales as repo
from db.repositories import promotions as promo_repo
from domain.calendar import as_utc
from domain.errors import fail
from domain.flash.model import (
    PRICED_BY_CAMPAIGN,
    ItemKind,
    SaleStatus,
    SaleTerms,
    check_bookable,
    check_editable,
    check_terms,
    status_at,
)
from domain.sessions import Session
from resolvers.context import RequestContext
from resolvers.flash.loading import forget, load
from resolvers.loaders import loader
from resolvers.ordering.flash_purchases import campaign_unit_price
from resolvers.pagination import Page, keyset_page

AUDIT_TYPE = "FLASH_SALE"


@dataclass(frozen=True)
class SaleView:
    """A sale as the API shows it; `remaining` comes from Redis."""

    row: FlashSale
    terms: SaleTerms
    status: SaleStatus
    remaining: int

    @property
    def id(self) -> str:
        return self.row.id


def _audit_dict(row: FlashSale) -> dict:
    t = repo.terms_of(row)
    return {
        "name": t.name, "itemKind": t.item_kind.value, "itemId": t.item_id,
        "salePriceFen": t.sale_price_fen, "unitsTotal": t.units_total,
        "perSubscriberLimit": t.per_subscriber_limit, "startsAt": t.starts_at.isoformat(),
        "endsAt": t.ends_at.isoformat(), "payWithinSeconds": t.pay_within_seconds,
        "bookingOpensAt": t.booking_opens_at.isoformat() if t.booking_opens_at else None,
        "priorityMinutes": t.priority_minutes, "cancelled": row.cancelled,
        "campaignId": t.campaign_id,
    }  # fmt: skip


async def _check_item(kind: ItemKind, item_id: str) -> None:
    found: object | None
    if kind is ItemKind.PLAN:
        found = await catalog.plan_by_id(item_id)
    elif kind is ItemKind.PACK:
        found = await catalog.add_on_by_id(item_id)
    elif kind is ItemKind.DEVICE:
        found = await repo.device_by_id(item_id)
    else:
        found = item_id  # the points mall lands in a later issue: its ids are taken as given
    if found is None:
        raise fail("UNKNOWN_ITEM", f"There is no {kind.value.lower()} {item_id[:64]}.", "itemId")


# --- marketing --------------------------------------------------------------------------------


async def _priced(ctx: RequestContext, terms: SaleTerms) -> SaleTerms:
    """A campaign-priced sale shows the engine's price of one unit at its start."""
    if terms.campaign_id is None:
        return terms
    if await promo_repo.campaign_by_id(terms.campaign_id) is None:
        raise fail("INVALID_FLASH_SALE", "There is no such campaign.", "campaignId")
    return replace(terms, sale_price_fen=await campaign_unit_price(ctx, terms))


async def sale_create(ctx: RequestContext, session: Session, terms: SaleTerms) -> SaleView:
    terms = check_terms(terms)
    await _check_item(terms.item_kind, terms.item_id)
    now = ctx.now()
    if terms.starts_at < as_utc(now):
        raise fail("INVALID_FLASH_SALE", "A flash sale starts in the future.", "startsAt")
    terms = await _priced(ctx, terms)
    sale_id = f"fs-{secrets.token_hex(6)}"
    async with in_transaction() as conn:
        row = await FlashSale.create(
            id=sale_id, created_by=session.name, updated_by=session.name,
            **repo.terms_columns(terms), using_db=conn,
        )  # fmt: skip
        await promo_repo.audit(
            conn, AUDIT_TYPE, sale_id, "CREATE", session.name, session.subject_id, now, None,
            _audit_dict(row),
        )  # fmt: skip
    await load(ctx.services, row)
    return await view(ctx, row)


async def _editable(ctx: RequestContext, sale_id: str, version: int | None) -> FlashSale:
    row = await repo.sale_by_id(sale_id)
    if row is None:
        raise fail("NOT_FOUND", "No such flash sale.", "id")
    if version is not None and version != row.version:
        raise fail(
            "VERSION_CONFLICT", "Someone changed this flash sale first; reload it.", "version"
        )
    return row


async def _save(ctx, session, row: FlashSale, action: str, changes: dict) -> FlashSale:
    before = _audit_dict(row)
    async with in_transaction() as conn:
        moved = (
            await FlashSale.filter(id=row.id, version=row.version)
            .using_db(conn)
            .update(**changes, version=row.version + 1, updated_by=session.name)
        )
        if not moved:
            raise fail("VERSION_CONFLICT", "Someone changed this flash sale first.", "version")
        fresh = await FlashSale.get(id=row.id).using_db(conn)
        await promo_repo.audit(
            conn, AUDIT_TYPE, row.id, action, session.name, session.subject_id, ctx.now(),
            before, _audit_dict(fresh),
        )  # fmt: skip
    forget(row.id)
    return fresh


async def sale_update(
    ctx: RequestContext, session: Session, sale_id: str, changes: dict, version: int | None
) -> SaleView:
    """Only before the sale starts (its terms are a promise to buyers from then on)."""
    row = await _editable(ctx, sale_id, version)
    current = repo.terms_of(row)
    check_editable(current, row.cancelled, ctx.now())
    if current.campaign_id is not None:  # its price is the campaign's, computed again below
        current = replace(current, sale_price_fen=PRICED_BY_CAMPAIGN)
    terms = check_terms(replace(current, **changes))
    await _check_item(terms.item_kind, terms.item_id)
    if terms.starts_at < as_utc(ctx.now()):
        raise fail("INVALID_FLASH_SALE", "A flash sale starts in the future.", "startsAt")
    terms = await _priced(ctx, terms)
    fresh = await _save(ctx, session, row, "UPDATE", repo.terms_columns(terms))
    await load(ctx.services, fresh)  # nothing was sold yet: the new terms replace the old
    return await view(ctx, fresh)


async def sale_cancel(ctx: RequestContext, session: Session, sale_id: str) -> SaleView:
    """Stop selling now; units held stay payable until their deadline."""
    row = await _editable(ctx, sale_id, None)
    if row.cancelled or as_utc(ctx.now()) >= as_utc(row.ends_at):
        raise fail("INVALID_TRANSITION", "This flash sale has already ended.", "id")
    fresh = await _save(ctx, session, row, "CANCEL", {"cancelled": True})
    await ctx.services.stores.flash_sales.cancel(row.id)
    return await view(ctx, fresh)


# --- customers --------------------------------------------------------------------------------


async def sale_book(ctx: RequestContext, subscriber_id: int, sale_id: str) -> SaleView:
    row = await repo.sale_by_id(sale_id)
    if row is None:
        raise fail("NOT_FOUND", "No such flash sale.", "id")
    check_bookable(repo.terms_of(row), row.cancelled, ctx.now())
    if await repo.book(row.id, subscriber_id):
        await ctx.services.stores.flash_sales.book(row.id, str(subscriber_id))
        subscriber = await Subscriber.get(id=subscriber_id)
        await ctx.services.sms.send(
            subscriber.msisdn, "FLASH_BOOKED", f"您已预约{row.name}，开抢后前几分钟优先购买。"
        )
    return await view(ctx, row)


async def view(ctx: RequestContext, row: FlashSale) -> SaleView:
    return (await views(ctx, [row]))[0]


async def views(ctx: RequestContext, rows: list[FlashSale]) -> list[SaleView]:
    """Remaining units in one Redis round trip; a sale Redis lost is reloaded first."""
    store = ctx.services.stores.flash_sales
    remaining = await store.remaining_many([r.id for r in rows])
    out = []
    for row in rows:
        left = remaining[row.id]
        if left is None:
            await load(ctx.services, row)
            left = await store.remaining(row.id)
        terms = repo.terms_of(row)
        if left is None:
            left = row.units_total - await repo.units_taken(row.id)
        out.append(SaleView(row, terms, status_at(terms, row.cancelled, left, ctx.now()), left))
    return out


async def sale_by_id(ctx: RequestContext, sale_id: str) -> SaleView | None:
    row = await repo.sale_by_id(sale_id)
    return None if row is None else await view(ctx, row)


async def sales_page(
    ctx: RequestContext, active_at: datetime | None, first: int | None, after: str | None
) -> Page[SaleView]:
    query = FlashSale.filter(cancelled=False)
    if active_at is not None:
        query = query.filter(starts_at__lte=active_at, ends_at__gt=active_at)
    page = await keyset_page(query, first, after, ("starts_at", "id"))
    shown = await views(ctx, [row for _, row in page.edges])
    edges = [(cursor, v) for (cursor, _), v in zip(page.edges, shown, strict=True)]
    return replace(page, edges=edges)  # type: ignore[arg-type]


def _counts(ctx: RequestContext, name: str, count) -> DataLoader:
    """A page of sales costs one query per count, not one per sale."""

    def batch():
        async def load(sale_ids: Sequence[str]) -> list[int]:
            found = await count(sale_ids)
            return [found.get(sale_id, 0) for sale_id in sale_ids]

        return load

    return loader(ctx, name, batch)


async def booked_count(ctx: RequestContext, sale_id: str) -> int:
    return await _counts(ctx, "flash_bookings", repo.booking_counts).load(sale_id)


async def has_booked(ctx: RequestContext, sale_id: str, subscriber_id: int) -> bool:
    mine = _counts(
        ctx, f"flash_bookings:{subscriber_id}", lambda ids: repo.booking_counts(ids, subscriber_id)
    )
    return await mine.load(sale_id) > 0


async def units_of(ctx: RequestContext, sale_id: str, subscriber_id: int) -> int:
    mine = _counts(
        ctx, f"flash_units:{subscriber_id}", lambda ids: repo.units_by_sale(ids, subscriber_id)
    )
    return await mine.load(sale_id)


async def stats(sale_id: str) -> dict[str, int]:
    return await repo.stats_of(sale_id)
