"""Credit limit (信用额度): the quote, the adjustment (a business order) and its history."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.pricing import Channel
from domain.sessions import Capability
from resolvers import credit_limit
from resolvers.ordering import place_order
from schema.enums import ChannelEnum
from schema.errors import UserError, payload
from schema.orders.types import Order
from schema.pagination import Connection, connection_of
from schema.permissions import context, subscriber_session


@strawberry.type(description="The credit limit the subscriber may choose now, and why.")
class CreditLimitQuote:
    max_fen: int = strawberry.field(description="The highest limit creditLimitAdjust accepts.")
    current_fen: int
    reasons: list[str]


@strawberry.type(description="One change of the credit limit (an order of kind CREDIT_LIMIT).")
class CreditLimitChange:
    @strawberry.field
    def from_fen(self) -> int:
        return self.detail.from_fen  # type: ignore[attr-defined]

    @strawberry.field
    def to_fen(self) -> int:
        return self.detail.to_fen  # type: ignore[attr-defined]

    @strawberry.field
    def changed_at(self) -> datetime:
        return self.created_at  # type: ignore[attr-defined]

    @strawberry.field
    def order(self) -> Order:
        return self  # type: ignore[return-value]


@strawberry.type
class CreditLimitPayload:
    order: Order | None = None
    user_errors: list[UserError]


@strawberry.type
class SubscriberCreditFields:
    @strawberry.field(description="Credit-limit changes, newest first.")
    async def credit_limit_history(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[CreditLimitChange] | None:
        subscriber_session(info, Capability.READ_DETAIL)
        return await connection_of(lambda: credit_limit.history_page(self.id, first, after))  # type: ignore[attr-defined]


@strawberry.type
class CreditQuery:
    @strawberry.field(
        description="The credit limit the logged-in subscriber may have (tenure, on-time bills "
        "of the last 6 months, real name, current arrears)."
    )
    async def credit_limit_quote(self, info: Info) -> CreditLimitQuote:
        session = subscriber_session(info, Capability.READ_BASIC)
        quote = await credit_limit.quote_for(context(info), session.subject_id)
        return CreditLimitQuote(
            max_fen=quote.max_fen, current_fen=quote.current_fen, reasons=list(quote.reasons)
        )


@strawberry.type
class CreditMutation:
    @strawberry.mutation(
        description="Set the credit limit (whole yuan, up to creditLimitQuote.maxFen, not below "
        "the current arrears); at once."
    )
    async def credit_limit_adjust(
        self,
        info: Info,
        amount_fen: int,
        idempotency_key: str,
        channel: ChannelEnum = Channel.WEB,
    ) -> CreditLimitPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            order = await place_order(
                context(info),
                session.subject_id,
                idempotency_key,
                credit_limit.CreditLimitAdjust(amount_fen),
                channel,
            )
            return {"order": order}

        return await payload(CreditLimitPayload, work)
