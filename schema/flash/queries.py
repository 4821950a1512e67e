from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from resolvers.flash import sales
from schema.flash.types import FlashSale
from schema.pagination import Connection, connection_of
from schema.permissions import context


@strawberry.type
class FlashQuery:
    @strawberry.field(description="Flash sales not cancelled, by start; `activeAt`: selling then.")
    async def flash_sales(
        self,
        info: Info,
        active_at: datetime | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[FlashSale] | None:
        return await connection_of(lambda: sales.sales_page(context(info), active_at, first, after))

    @strawberry.field
    async def flash_sale(self, info: Info, id: strawberry.ID) -> FlashSale | None:
        return await sales.sale_by_id(context(info), str(id))  # type: ignore[return-value]
