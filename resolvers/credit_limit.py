"""Credit limit: the subscriber's profile gathered for the pure rules (domain.credit_limit), the
quote, the history (orders of kind CREDIT_LIMIT), and the CREDIT_LIMIT order kind."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.billing import Bill
from db.models.orders import Order
from db.repositories import business_orders
from domain.account_services import tenure_months
from domain.credit_limit import (
    HISTORY_BILLS,
    CreditProfile,
    CreditQuote,
    check_new_limit,
    credit_quote,
)
from domain.errors import fail
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import CreditLimitDetails
from domain.pricing import Cart, Channel, list_quote
from resolvers.context import RequestContext
from resolvers.ordering.pipeline import Prepared, subscriber_now
from resolvers.pagination import Page, keyset_page


async def profile_of(subscriber: Subscriber, now: datetime) -> CreditProfile:
    settled = (
        await Bill.filter(subscriber_id=subscriber.id)
        .order_by("-cycle")
        .limit(HISTORY_BILLS)
        .values_list("balance_after_fen", flat=True)
    )
    late = sum(1 for b in settled if b is not None and b < 0)
    return CreditProfile(
        real_name_verified=subscriber.real_name_verified,
        tenure_months=tenure_months(subscriber.joined_at, now),
        bills_on_time=len(settled) - late,
        bills_late=late,
        balance_fen=subscriber.balance_fen,
        current_limit_fen=subscriber.credit_limit_fen,
    )


async def quote_for(ctx: RequestContext, subscriber_id: int) -> CreditQuote:
    now = ctx.now()
    subscriber = await subscriber_now(subscriber_id, now)
    if subscriber is None:
        raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
    return credit_quote(await profile_of(subscriber, now))


async def history_page(subscriber_id: int, first: int | None, after: str | None) -> Page[Order]:
    query = business_orders.orders_of(subscriber_id).filter(kind=OrderKind.CREDIT_LIMIT)
    return await keyset_page(query, first, after, ("-created_at", "-id"))


class CreditLimitAdjust:
    kind = OrderKind.CREDIT_LIMIT

    def __init__(self, amount_fen: int) -> None:
        self.amount_fen = amount_fen

    def fingerprint(self) -> str:
        return f"CREDIT_LIMIT:{self.amount_fen}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        quote = credit_quote(await profile_of(subscriber, now))
        check_new_limit(self.amount_fen, quote, subscriber.balance_fen)
        details = CreditLimitDetails(
            fingerprint="",
            summary=f"信用额度由{yuan(subscriber.credit_limit_fen)}调整为{yuan(self.amount_fen)}",
            from_fen=subscriber.credit_limit_fen,
            to_fen=self.amount_fen,
        )
        return Prepared(list_quote(Cart(()), now), details, OrderStatus.COMPLETED, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        # `subscriber` is the locked row: the arrears may have grown since prepare.
        if subscriber.balance_fen < -self.amount_fen:
            check_new_limit(
                self.amount_fen,
                CreditQuote(self.amount_fen, subscriber.credit_limit_fen, ()),
                subscriber.balance_fen,
            )
        await (
            Subscriber.filter(id=subscriber.id)
            .using_db(conn)
            .update(credit_limit_fen=self.amount_fen)
        )
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        await ctx.services.sms.send(
            subscriber.msisdn, "ORDER_CREDIT_LIMIT", f"您的{order.detail.summary}，立即生效。"
        )
