from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import mall
from schema.pagination import Connection, connection_of
from schema.permissions import context
from schema.points.types import MallCategoryEnum, MallItem


@strawberry.type
class PointsQuery:
    @strawberry.field(
        description="The points mall: items on sale now (staff see every unarchived item)."
    )
    async def mall_items(
        self,
        info: Info,
        category: MallCategoryEnum | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[MallItem]:
        ctx = context(info)
        return await connection_of(lambda: mall.items_page(ctx, category, first, after))

    @strawberry.field
    async def mall_item(self, info: Info, id: strawberry.ID) -> MallItem | None:
        return await mall.item(context(info), str(id))  # type: ignore[return-value]
