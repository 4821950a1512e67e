from __future__ import annotations

import strawberry

from resolvers import payments
from schema.billing.types import Payment


@strawberry.type
class BillingQuery:
    @strawberry.field(description="A payment by id, for the payer to follow (no login needed).")
    async def payment(self, id: strawberry.ID) -> Payment | None:
        return await payments.payment_by_id(str(id))  # type: ignore[return-value]
