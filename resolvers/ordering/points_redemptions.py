"""Order kind POINTS_REDEMPTION: a points-mall redemption placed through the pipeline.

The order and its Redemption row share one id. In the order's transaction (the subscriber is
locked by the pipeline): the per-subscriber count, the points (earliest-expiring lots first),
the Redemption record, then the item's stock row (shared by every customer, so taken last and
held briefly) and the delivery. A points + cash item waits in PENDING_PAYMENT with all of that
held and a provider payment created; `resolvers.mall_payments` fulfils it when the payment
settles and gives everything back when it fails or expires."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from uuid import uuid4

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.models.payments import Payment
from db.models.points import MallItem, Redemption
from db.repositories import mall
from db.repositories import points as points_repo
from domain.errors import fail
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import RedemptionDetails
from domain.payments import AUTO_DEBIT_METHODS, PaymentMethod, PaymentPurpose, PaymentStatus
from domain.points.mall import (
    RedemptionStatus,
    ShippingAddress,
    check_address,
    cost_of,
    first_status,
    out_of_stock,
)
from domain.pricing import Cart, CartLine, Channel, LineQuote, OfferingKind, Quote
from resolvers.context import RequestContext
from resolvers.mall_delivery import deliver, terms_of
from resolvers.mall_payments import redeem_source
from resolvers.ordering.pipeline import Prepared
from resolvers.pricing import price


def _points_only_quote(item: MallItem, now: datetime) -> Quote:
    """No cash, nothing for a campaign to discount: skip the engine (and its round trips)."""
    line = LineQuote(item.id, OfferingKind.MALL_ITEM, item.name, 0, 0, False)
    return Quote(lines=(line,), effective_from=now, schedule=(), points_to_earn=0)


class PointsRedemption:
    kind = OrderKind.POINTS_REDEMPTION

    def __init__(
        self,
        item_id: str,
        quantity: int,
        address: ShippingAddress | None,
        method: PaymentMethod | None = None,
    ) -> None:
        self.item_id = (item_id or "").strip()[:40]
        self.quantity = quantity
        self.address = address
        self.method = method
        self.item: MallItem | None = None
        self.codes: list[str] = []
        self.redemption: Redemption | None = None  # the row this request wrote, if it did

    def fingerprint(self) -> str:
        address = self.address.as_json() if self.address else None
        raw = json.dumps([self.item_id, self.quantity, address], sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
        return f"POINTS_REDEMPTION:{digest}:{self.method or ''}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        self.item = item = await mall.item_by_id(self.item_id)
        if item is None:
            raise fail("NOT_FOUND", "There is no such item in the mall.", "itemId")
        self.address = check_address(item.kind, self.address)
        cost = cost_of(terms_of(item), self.quantity, now)
        if item.stock < self.quantity:  # answer a sold-out item first: the guard still decides
            raise out_of_stock()
        if cost.cash_fen:
            if self.method not in AUTO_DEBIT_METHODS:
                raise fail(
                    "INVALID_METHOD",
                    "Pay the cash part with ALIPAY, WECHAT or BANK_CARD.",
                    "paymentMethod",
                )
            line = CartLine(item.id, OfferingKind.MALL_ITEM, item.name, cost.cash_fen, False)
            quote = await price(ctx, Cart((line,)), now, channel, subscriber=subscriber, now=now)
        else:
            quote = _points_only_quote(item, now)
        cash = quote.final_price_fen
        details = RedemptionDetails(
            fingerprint="",
            summary=f"积分兑换{item.name}×{self.quantity}",
            charged_fen=cash,
            item_id=item.id,
            quantity=self.quantity,
            points=cost.points,
            method=self.method.value if cash and self.method else None,
            payment_id=str(uuid4()) if cash else None,
        )
        status = OrderStatus.PENDING_PAYMENT if cash else OrderStatus.COMPLETED
        return Prepared(quote, details, status, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        item = self.item
        assert item is not None
        detail: RedemptionDetails = order.detail  # type: ignore[assignment]
        await mall.take_limit(
            conn, item.id, subscriber.id, self.quantity, item.per_subscriber_limit
        )
        if detail.points:
            await points_repo.redeem(
                conn,
                subscriber.id,
                redeem_source(order.id),
                detail.points,
                now,
                note=item.name,
                fresh=True,  # a new order's id
            )
        cash = detail.charged_fen
        if cash:
            await Payment.create(
                id=detail.payment_id,
                subscriber_id=subscriber.id,
                msisdn=subscriber.msisdn,
                payer_scope=f"sub:{subscriber.id}",
                idempotency_key=f"mall:{order.id}",
                fingerprint=detail.fingerprint[:64],
                amount_fen=cash,
                payable_fen=cash,
                method=PaymentMethod(detail.method),
                channel=Channel(detail.channel or Channel.WEB.value),
                purpose=PaymentPurpose.POINTS_MALL,
                reference=str(order.id),
                status=PaymentStatus.CREATED,
                created_at=now,
                using_db=conn,
            )
        redemption = Redemption(
            id=order.id,
            subscriber_id=subscriber.id,
            item_id=item.id,
            idempotency_key=order.idempotency_key,
            fingerprint=detail.fingerprint[:128],
            quantity=self.quantity,
            points_spent=detail.points,
            cash_fen=cash,
            status=RedemptionStatus.PENDING_PAYMENT if cash else first_status(item.kind),
            shipping_address=self.address.as_json() if self.address else None,
            codes=[],
            payment_id=detail.payment_id,
            created_at=now,
        )
        # The item's stock row is shared by every customer: take it last, hold it briefly.
        await mall.take_stock(conn, item.id, self.quantity)
        if not cash:
            self.codes = await deliver(conn, item, subscriber.id, order.id, self.quantity, now)
            redemption.codes = self.codes
        await redemption.save(using_db=conn, force_create=True)
        self.redemption = redemption
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        detail: RedemptionDetails = order.detail  # type: ignore[assignment]
        if detail.payment_id:
            provider = ctx.services.payments
            if provider is None:
                raise RuntimeError("no payment provider is configured")
            url = await provider.start(detail.payment_id, detail.charged_fen, detail.method, False)
            order.details = detail.replace(pay_url=url).to_json()
            await Order.filter(id=order.id).update(details=order.details)
            await Payment.filter(id=detail.payment_id).update(pay_url=url)
            await Redemption.filter(id=order.id).update(pay_url=url)
            if self.redemption is not None:
                self.redemption.pay_url = url
            await ctx.services.sms.send(
                subscriber.msisdn,
                "POINTS_REDEMPTION_PAYING",
                f"您正在使用{detail.points}积分和{yuan(detail.charged_fen)}兑换"
                f"{detail.summary.removeprefix('积分兑换')}，请在30分钟内完成支付。",
            )
            return
        text = f"，兑换码：{'、'.join(self.codes)}" if self.codes else ""
        await ctx.services.sms.send(
            subscriber.msisdn,
            "POINTS_REDEEMED",
            f"您已使用{detail.points}积分{detail.summary.removeprefix('积分')}{text}。",
        )
