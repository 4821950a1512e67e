from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import payments
from schema.billing.types import Payment
from schema.permissions import context


@strawberry.type
class BillingQuery:
    @strawberry.field(description="A payment by id, for the payer to follow (no login needed).")
    async def payment(self, info: Info, id: strawberry.ID) -> Payment | None:
        return await payments.payment_by_id(str(id), context(info).now())  # type: ignore[return-value]
