"""Dev and test only (absent from the prod schema): what a phone would receive, so clients and
tests can log in without a real handset."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.payments import CallbackOutcome
from resolvers import dev, payments
from schema.pagination import query
from schema.permissions import context


@strawberry.type
class OutboxMessage:
    kind: str
    text: str
    created_at: datetime


@strawberry.type
class Dev:
    @strawberry.field(description="Newest first: SMS queued for this number.")
    async def outbox(self, msisdn: str, first: int = 20) -> list[OutboxMessage]:
        return await dev.outbox(msisdn, min(max(first, 1), 100))

    @strawberry.field(description="The answer of a live captcha, without using it up.")
    async def captcha_answer(self, info: Info, id: str) -> str | None:
        return await dev.captcha_answer(context(info), id)


@strawberry.type
class DevQuery:
    @strawberry.field(description="Dev/test helpers; never present in production.")
    def dev(self) -> Dev:
        return Dev()


CallbackOutcomeEnum = strawberry.enum(CallbackOutcome, name="PaymentCallbackOutcome")


@strawberry.type(description="What the webhook answered the simulated provider.")
class CallbackDelivery:
    http_status: int
    result: str | None
    error: str | None


@strawberry.type
class DevMutations:
    @strawberry.mutation(
        description="Pay (or fail) a payment at the simulated cashier: the simulated provider "
        "delivers its signed callback to the webhook handler."
    )
    async def payment_complete(
        self,
        info: Info,
        payment_id: strawberry.ID,
        outcome: CallbackOutcomeEnum = CallbackOutcome.SUCCESS,
    ) -> CallbackDelivery:
        status, body = await query(
            lambda: payments.dev_payment_complete(context(info), str(payment_id), outcome)
        )
        return CallbackDelivery(
            http_status=status, result=body.get("result"), error=body.get("error")
        )


@strawberry.type
class DevMutation:
    @strawberry.field(description="Dev/test helpers; never present in production.")
    def dev(self) -> DevMutations:
        return DevMutations()
