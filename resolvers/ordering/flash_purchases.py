"""Order kind FLASH_SALE: paying a flash-sale reservation. The order is priced by the promotions
engine (the sale's fixed price as a one-line cart with no other campaign on top, or the sale's
own campaign on the item's list price). From the balance it completes at once (Redis CONFIRM
decides against the deadline inside the order's transaction) and earns points; through a
provider it waits (PENDING_PAYMENT) for the signed callback (`resolvers.flash.pay.callback`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import uuid4

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.flash import FlashReservation, FlashSale
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories import balances, catalog
from db.repositories import flash_sales as repo
from domain.errors import DomainError, fail
from domain.flash.model import ItemKind, ReservationStatus, SaleTerms
from domain.idempotency import internal_key
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import FlashSaleDetails
from domain.payments import PaymentMethod, PaymentPurpose
from domain.pricing import Cart, CartLine, Channel, OfferingKind, Quote
from domain.promotions.engine import CampaignIndex
from resolvers import points_earning, promotion_index
from resolvers.context import RequestContext, Services
from resolvers.flash.loading import settle
from resolvers.ordering.pipeline import Prepared
from resolvers.pricing import price_with, profile_of


class FlashPayMethod(StrEnum):
    BALANCE = "BALANCE"
    ALIPAY = "ALIPAY"
    WECHAT = "WECHAT"
    BANK_CARD = "BANK_CARD"


class Late(Exception):
    """Redis gave the units back before this payment (the deadline passed): roll back."""


class AlreadyPaid(Exception):
    """Another payment of the same reservation won (a concurrent request): roll back."""


_OFFERING = {
    ItemKind.PLAN: OfferingKind.PLAN,
    ItemKind.PACK: OfferingKind.ADDON,
    ItemKind.DEVICE: OfferingKind.DEVICE,
    ItemKind.MALL_ITEM: OfferingKind.MALL_ITEM,
}


async def _list_price(sale: FlashSale | SaleTerms) -> int:
    if sale.item_kind is ItemKind.DEVICE:
        device = await repo.device_by_id(sale.item_id)
        return device.list_price_fen if device else sale.sale_price_fen
    if sale.item_kind is ItemKind.PLAN:
        plan = await catalog.plan_by_id(sale.item_id)
        return plan.monthly_fee_fen if plan else sale.sale_price_fen
    if sale.item_kind is ItemKind.PACK:
        add_on = await catalog.add_on_by_id(sale.item_id)
        return add_on.price_fen if add_on else sale.sale_price_fen
    return sale.sale_price_fen


async def flash_quote(
    ctx: RequestContext,
    sale: FlashSale | SaleTerms,
    quantity: int,
    subscriber: Subscriber | None,
    channel: Channel,
    now: datetime,
) -> Quote:
    """What `quantity` units cost. A fixed sale price is final (no campaign stacks on a flash
    price); a campaign-priced sale runs the engine with that one campaign on the list price."""
    kind = _OFFERING[ItemKind(sale.item_kind)]
    profile = profile_of(subscriber, now)
    if not sale.campaign_id:
        line = CartLine(sale.item_id, kind, sale.name, sale.sale_price_fen * quantity, False)
        return await price_with(ctx, Cart((line,)), now, channel, profile, now, CampaignIndex(()))
    loaded = await promotion_index.active_campaigns(ctx.services, now)
    own = [c for c in loaded.index.campaigns if c.id == sale.campaign_id]
    line = CartLine(sale.item_id, kind, sale.name, await _list_price(sale) * quantity, False)
    quote = await price_with(ctx, Cart((line,)), now, channel, profile, now, CampaignIndex(own))
    if not any(a.campaign_id == sale.campaign_id for a in quote.applied):
        raise fail("NOT_ELIGIBLE", "The sale's campaign does not price this for you now.", None)
    return quote


async def campaign_unit_price(ctx: RequestContext, terms: SaleTerms) -> int:
    """What the campaign makes one unit cost at the sale's start, for an unknown buyer (shown
    as `salePriceFen`; every order is priced again when it is paid)."""
    try:
        quote = await flash_quote(ctx, terms, 1, None, Channel.APP, terms.starts_at)
    except DomainError as refused:
        raise fail(
            "INVALID_FLASH_SALE",
            "The campaign does not price this item when the sale starts.",
            "campaignId",
        ) from refused
    return quote.final_price_fen


async def take_device_stock(conn: BaseDBAsyncClient, device_id: str, quantity: int) -> None:
    """A guarded UPDATE: a device's stock never goes below zero."""
    if not await repo.take_device_stock(conn, device_id, quantity):
        raise fail("OUT_OF_STOCK", "This device is out of stock.", None)


async def deliver(conn: BaseDBAsyncClient, sale: FlashSale, subscriber_id: int, qty: int) -> None:
    """What the sale sold leaves the hall: a device's stock goes down, and a phone is recorded
    on the subscriber (the 5G check of plan changes reads it)."""
    if sale.item_kind is ItemKind.DEVICE:
        device = await repo.device_by_id(sale.item_id)
        if device is None:
            raise fail("NOT_FOUND", "The device sold is no longer in the catalog.", None)
        await take_device_stock(conn, device.id, qty)
        if not device.accessory:
            await repo.record_device(conn, subscriber_id, device)


class FlashPurchase:
    kind = OrderKind.FLASH_SALE

    def __init__(
        self, services: Services, r: FlashReservation, sale: FlashSale, method: FlashPayMethod
    ) -> None:
        self.services = services  # `write` asks Redis to CONFIRM inside the transaction
        self.r, self.sale, self.method = r, sale, method
        self.payment_id = uuid4()

    @property
    def from_balance(self) -> bool:
        return self.method is FlashPayMethod.BALANCE

    def fingerprint(self) -> str:
        return f"FLASH_SALE:{self.r.id}:{self.method.value}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        quote = await flash_quote(ctx, self.sale, self.r.quantity, subscriber, channel, now)
        details = FlashSaleDetails(
            fingerprint="",
            summary=f"秒杀 {self.sale.name}×{self.r.quantity}",
            charged_fen=quote.final_price_fen if self.from_balance else 0,
            flash_sale_id=self.sale.id,
            reservation_id=str(self.r.id),
            method=self.method.value,
            payment_id=None if self.from_balance else str(self.payment_id),
        )
        status = OrderStatus.COMPLETED if self.from_balance else OrderStatus.PENDING_PAYMENT
        return Prepared(quote, details, status, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        if not self.from_balance:
            return await self._start_payment(conn, order, subscriber, now)
        amount = order.detail.charged_fen
        await balances.debit(conn, subscriber.id, amount, "FLASH_SALE", str(order.id), at=now)
        rid, sub = str(self.r.id), str(subscriber.id)
        if await settle(self.services, self.sale, rid, sub, "CONFIRM") != "CONFIRMED":
            raise Late
        if not await repo.mark_paid(conn, self.r.id, order.id):
            fresh = await FlashReservation.get(id=self.r.id).using_db(conn)
            if fresh.status is ReservationStatus.PAID:
                raise AlreadyPaid  # its units stay confirmed in Redis
            await settle(self.services, self.sale, rid, sub, "RELEASE")
            raise Late
        await deliver(conn, self.sale, subscriber.id, self.r.quantity)
        await points_earning.earn_for_order(conn, order, now)
        return order

    async def _start_payment(self, conn, order: Order, subscriber: Subscriber, now) -> Order:
        amount = order.final_price_fen
        await Payment.create(
            id=self.payment_id, subscriber_id=subscriber.id, msisdn=subscriber.msisdn,
            payer_scope=f"sub:{subscriber.id}", idempotency_key=internal_key("flash", order.id),
            fingerprint=self.fingerprint()[:64], amount_fen=amount, payable_fen=amount,
            method=PaymentMethod(self.method.value), channel=Channel.APP,
            purpose=PaymentPurpose.FLASH_SALE, reference=str(order.id), created_at=now,
            using_db=conn,
        )  # fmt: skip
        await FlashReservation.filter(id=self.r.id).using_db(conn).update(order_id=order.id)
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        if self.from_balance:
            await ctx.services.sms.send(
                subscriber.msisdn,
                "FLASH_PAID",
                f"您已支付{yuan(order.final_price_fen)}，{self.sale.name}购买成功。",
            )
            return
        provider = ctx.services.payments
        if provider is None:
            raise RuntimeError("no payment provider is configured")
        url = await provider.start(
            str(self.payment_id), order.final_price_fen, self.method.value, False
        )
        details = order.detail.replace(pay_url=url)
        order.details = details.to_json()
        await Order.filter(id=order.id).update(details=order.details)
        await Payment.filter(id=self.payment_id).update(pay_url=url)
