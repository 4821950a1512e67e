"""Per-request DataLoaders: a page of rows costs one query per relation, not one per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from db.models.catalog import Plan
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
