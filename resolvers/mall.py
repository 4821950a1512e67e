"""The mall catalogue: what customers browse, and marketing's audited changes to it."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from db.models.catalog import AddOn
from db.models.points import MallAudit, MallItem
from db.repositories import mall as repo
from domain.errors import fail
from domain.points.mall import CODE_KINDS, ItemDraft, MallCategory, check_item
from domain.sessions import Scope
from resolvers.context import RequestContext
from resolvers.pagination import Page, keyset_page

MAX_CODES_PER_UPLOAD = 10_000


def _staff(ctx: RequestContext) -> bool:
    return ctx.session is not None and ctx.session.scope is Scope.STAFF


def _actor(ctx: RequestContext) -> str:
    return ctx.session.name if ctx.session else "system"


async def items_page(
    ctx: RequestContext, category: MallCategory | None, first: int | None, after: str | None
) -> Page[MallItem]:
    query = repo.items(category, ctx.now(), staff=_staff(ctx))
    return await keyset_page(query, first, after, ("position", "id"))


async def item(ctx: RequestContext, item_id: str) -> MallItem | None:
    found = await repo.item_by_id(item_id)
    if found is None or (found.archived and not _staff(ctx)):
        return None
    return found


async def _check_add_on(draft: ItemDraft) -> None:
    if draft.add_on_id and not await AddOn.exists(id=draft.add_on_id, active=True):
        raise fail("INVALID_ITEM", f"There is no add-on {draft.add_on_id[:40]}.", "addOnId")


async def item_create(ctx: RequestContext, draft: ItemDraft, stock: int) -> MallItem:
    draft = check_item(draft)
    await _check_add_on(draft)
    if not 0 <= stock <= 10_000_000:
        raise fail("INVALID_ITEM", "Stock is 0 to 10,000,000.", "stock")
    item_id = f"mall-{secrets.token_hex(6)}"
    async with in_transaction() as conn:
        item = await MallItem.create(
            id=item_id,
            **vars(draft),
            stock=0 if draft.kind in CODE_KINDS else stock,  # code items: the pool is the stock
            image_url=f"/static/mall/{draft.category.value.lower()}.svg",
            using_db=conn,
        )
        await repo.audit(
            conn, item.id, "CREATED", _actor(ctx), None, repo.snapshot(item), ctx.now()
        )
    return item


async def _editable(item_id: str) -> MallItem:
    found = await repo.item_by_id(item_id)
    if found is None or found.archived:
        raise fail("NOT_FOUND", "No such mall item.", "id")
    return found


async def item_update(
    ctx: RequestContext,
    item_id: str,
    changes: dict[str, Any],
    add_stock: int,
    version: int | None,
) -> MallItem:
    """Change the terms (any subset) and move the stock by `add_stock` (never below 0)."""
    found = await _editable(item_id)
    current = ItemDraft(**{k: getattr(found, k) for k in ItemDraft.__dataclass_fields__})
    draft = check_item(replace(current, **changes))
    if draft.kind is not found.kind:
        raise fail("INVALID_ITEM", "An item's kind cannot change.", "kind")
    await _check_add_on(draft)
    if add_stock and found.kind in CODE_KINDS:
        raise fail("INVALID_ITEM", "Code items get stock by uploading codes.", "addStock")
    async with in_transaction() as conn:
        query = MallItem.filter(id=found.id, archived=False)
        if version is not None:
            query = query.filter(version=version)
        if add_stock < 0:
            query = query.filter(stock__gte=-add_stock)
        updated = await query.using_db(conn).update(
            **vars(draft), stock=F("stock") + add_stock, version=F("version") + 1
        )
        if not updated:
            if version is not None and found.version != version:
                raise fail("VERSION_CONFLICT", "Someone changed this item first.", "version")
            raise fail("INVALID_ITEM", "Not that much stock is left to remove.", "addStock")
        item = await MallItem.get(id=found.id).using_db(conn)
        await repo.audit(
            conn,
            item.id,
            "UPDATED",
            _actor(ctx),
            repo.snapshot(found),
            repo.snapshot(item),
            ctx.now(),
        )
    return item


async def item_archive(ctx: RequestContext, item_id: str) -> MallItem:
    found = await _editable(item_id)
    async with in_transaction() as conn:
        await (
            MallItem.filter(id=found.id)
            .using_db(conn)
            .update(archived=True, version=F("version") + 1)
        )
        item = await MallItem.get(id=found.id).using_db(conn)
        await repo.audit(
            conn,
            item.id,
            "ARCHIVED",
            _actor(ctx),
            repo.snapshot(found),
            repo.snapshot(item),
            ctx.now(),
        )
    return item


async def codes_upload(ctx: RequestContext, item_id: str, codes: list[str]) -> tuple[MallItem, int]:
    found = await _editable(item_id)
    if found.kind not in CODE_KINDS:
        raise fail("INVALID_ITEM", "Only memberships and coupons take codes.", "itemId")
    cleaned = [c.strip() for c in codes if c.strip()]
    if not cleaned or len(cleaned) > MAX_CODES_PER_UPLOAD or any(len(c) > 64 for c in cleaned):
        raise fail(
            "INVALID_CODES",
            f"Send 1 to {MAX_CODES_PER_UPLOAD} codes of at most 64 characters.",
            "codes",
        )
    added, _stock = await repo.add_codes(found.id, cleaned, _actor(ctx), ctx.now())
    return await MallItem.get(id=found.id), added


async def audit_of(item_id: str) -> list[MallAudit]:
    return await MallAudit.filter(item_id=item_id).order_by("id")
