"""Order kind PACK_PURCHASE: an add-on pack (7-day, month-end, half-year, directional, roaming),
charged from the balance and granted at once."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.catalog import AddOn
from db.models.orders import Order
from db.repositories import account_services, balances, business_orders
from db.repositories.allowance_grants import grant_add_on
from domain.account_services import check_roaming_open
from domain.calendar import local
from domain.catalog import AddOnKind, validity_end
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import PackPurchaseDetails
from domain.pricing import Channel
from resolvers import points_earning
from resolvers.context import RequestContext
from resolvers.ordering.offerings import add_on_cart, add_on_for_purchase
from resolvers.ordering.pipeline import Prepared
from resolvers.pricing import price


class PackPurchase:
    kind = OrderKind.PACK_PURCHASE

    def __init__(self, pack_id: str) -> None:
        self.pack_id = (pack_id or "").strip()
        self.add_on: AddOn | None = None

    def fingerprint(self) -> str:
        return f"PACK_PURCHASE:{self.pack_id}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        self.add_on = add_on = await add_on_for_purchase(self.pack_id)
        if add_on.kind is AddOnKind.ROAMING:
            check_roaming_open(await account_services.load(subscriber.id))
        quote = await price(ctx, add_on_cart(add_on), now, channel, subscriber=subscriber, now=now)
        details = PackPurchaseDetails(
            fingerprint="",
            summary=f"订购{add_on.name}",
            charged_fen=quote.final_price_fen,
            add_on_id=add_on.id,
        )
        return Prepared(quote, details, OrderStatus.COMPLETED, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        assert self.add_on is not None
        charge = order.detail.charged_fen
        await balances.debit(conn, subscriber.id, charge, "PACK_PURCHASE", str(order.id), at=now)
        buckets = await grant_add_on(conn, subscriber.id, self.add_on, now, order.id)
        until = (
            max(b.valid_until for b in buckets)
            if buckets
            else validity_end(self.add_on.validity_kind, self.add_on.validity_length, now)
        )
        details = order.detail.replace(
            bucket_ids=tuple(b.id for b in buckets), valid_until=until.isoformat()
        )
        order = await business_orders.save_details(conn, order, details)
        await points_earning.earn_for_order(conn, order, now)
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        detail = order.detail
        until = local(datetime.fromisoformat(detail.valid_until))  # type: ignore[attr-defined,arg-type]
        await ctx.services.sms.send(
            subscriber.msisdn,
            "ORDER_PACK_PURCHASE",
            f"您已成功{detail.summary}，费用{yuan(detail.charged_fen)}已从账户余额扣除，立即生效，"
            f"有效期至{until:%Y-%m-%d %H:%M}。",
        )
