"""Per-request DataLoaders: a page of rows costs one query per relation, not one per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from db.models.catalog import AddOn, Plan
from resolvers.context import RequestContext


def by_id(model: Any, field: str = "id") -> Callable[[Sequence[Any]], Awaitable[list[Any]]]:
    async def load(keys: Sequence[Any]) -> list[Any]:
        rows = await model.filter(**{f"{field}__in": list(set(keys))})
        found = {getattr(row, field): row for row in rows}
        return [found.get(key) for key in keys]

    return load


def loader(ctx: RequestContext, name: str, batch: Callable[[], Callable]) -> DataLoader:
    """The request's loader called `name`, created on first use."""
    if name not in ctx.loaders:
        ctx.loaders[name] = DataLoader(load_fn=batch())
    return ctx.loaders[name]


def plans(ctx: RequestContext) -> DataLoader:
    return loader(ctx, "plan", lambda: by_id(Plan))


def cached(ctx: RequestContext, table: str) -> Callable[[], Callable]:
    """Packs, add-ons and roaming destinations by id, from the process's catalog cache."""

    async def load(keys: Sequence[Any]) -> list[Any]:
        found = getattr(await ctx.services.catalog.rows(ctx), table)
        return [found.get(key) for key in keys]

    return lambda: load


def packs(ctx: RequestContext) -> DataLoader:
    return loader(ctx, "pack", cached(ctx, "packs"))


def add_ons(ctx: RequestContext) -> DataLoader:
    return loader(ctx, "add_on", cached(ctx, "add_ons"))


def destinations(ctx: RequestContext) -> DataLoader:
    return loader(ctx, "roaming_destination", cached(ctx, "destinations"))


def add_ons_by_destination(ctx: RequestContext) -> DataLoader:
    """Roaming add-ons on sale, grouped by destination code."""

    def batch() -> Callable[[Sequence[str]], Awaitable[list[list[AddOn]]]]:
        async def load(codes: Sequence[str]) -> list[list[AddOn]]:
            grouped: dict[str, list[AddOn]] = {code: [] for code in codes}
            for row in (await ctx.services.catalog.rows(ctx)).add_ons.values():
                if row.active and row.destination_id in grouped:  # type: ignore[attr-defined]
                    grouped[row.destination_id].append(row)  # type: ignore[attr-defined]
            return [grouped[code] for code in codes]

        return load

    return loader(ctx, "add_ons_by_destination", batch)


def mall_items(ctx: RequestContext) -> DataLoader:
    from db.models.points import MallItem

    return loader(ctx, "mall_item", lambda: by_id(MallItem))
