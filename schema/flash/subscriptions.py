from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from resolvers.flash.feed import feed
from schema.flash.types import FlashSaleStatusEnum
from schema.permissions import context


@strawberry.type(description="A flash sale's live stock.")
class FlashSaleStock:
    flash_sale_id: strawberry.ID
    remaining: int
    status: FlashSaleStatusEnum


@strawberry.type
class FlashSubscription:
    @strawberry.subscription(
        description="Pushes `remaining` and `status` as they change (graphql-transport-ws), "
        "at most 5 times a second; the first message is the state now."
    )
    async def flash_sale_stock(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[FlashSaleStock, None]:
        async for update in feed(context(info).services).watch(str(id)):
            yield FlashSaleStock(
                flash_sale_id=strawberry.ID(update.flash_sale_id),
                remaining=update.remaining,
                status=update.status,
            )
