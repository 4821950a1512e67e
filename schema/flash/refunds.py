"""OPERATOR: flash-sale refunds the payment provider refused or did not answer, and a retry."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from resolvers.flash import refunds
from schema.errors import UserError, payload
from schema.pagination import Connection, connection_of
from schema.permissions import OPERATOR, context, session_of


@strawberry.type(description="A refund of a late flash-sale payment, not settled yet.")
class FlashRefund:
    id: strawberry.ID
    payment_id: strawberry.ID
    order_id: strawberry.ID | None
    msisdn: str | None
    amount_fen: int
    reason: str = strawberry.field(description="Why the money goes back (PAID_AFTER_DEADLINE…).")
    status: str = strawberry.field(
        description="REFUSED (the provider said no: retry it), REQUESTED (it did not answer: "
        "asked again every reaper round) or SUCCEEDED."
    )
    failure_code: str | None = strawberry.field(description="The provider's last refusal.")
    created_at: datetime
    settled_at: datetime | None


@strawberry.type
class FlashRefundRetryPayload:
    refund: FlashRefund | None = None
    outcome: str | None = strawberry.field(
        default=None, description="The refund's status this retry left (the first retry's, "
        "when the idempotencyKey was used before)."
    )  # fmt: skip
    user_errors: list[UserError]


@strawberry.type
class FlashRefundQuery:
    @strawberry.field(
        permission_classes=OPERATOR,
        description="OPERATOR: refunds of late flash-sale payments the provider refused or did "
        "not answer, newest first.",
    )
    async def flash_refunds_pending(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[FlashRefund]:
        return await connection_of(lambda: refunds.refunds_pending(first, after))  # type: ignore[arg-type]


@strawberry.type
class FlashRefundMutation:
    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="OPERATOR: ask the provider again for a refund, under the refund's own id "
        "(it never pays twice); recorded with who asked and what the provider answered.",
    )
    async def flash_refund_retry(
        self, info: Info, id: strawberry.ID, idempotency_key: str
    ) -> FlashRefundRetryPayload:
        session = session_of(info)

        async def work():
            ctx = context(info)
            answer = await refunds.refund_retry(
                ctx.services, str(id), session.subject_id, session.name, idempotency_key
            )
            return {"refund": answer.refund, "outcome": answer.outcome}

        return await payload(FlashRefundRetryPayload, work)
