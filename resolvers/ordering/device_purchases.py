"""Order kind DEVICE_PURCHASE: a phone or accessory (手机, 配件) from the catalog at its price
(campaigns targeting DEVICE may lower it), paid from the balance, shipped to an address. The
stock goes down by a guarded update (never below zero) and a phone is recorded on the
subscriber, so the 5G check of plan changes uses it."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.flash import Device
from db.models.orders import Order
from db.repositories import balances
from db.repositories import flash_sales as repo
from domain.errors import fail
from domain.flash.model import ItemKind, check_address
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import DevicePurchaseDetails
from domain.pricing import Cart, CartLine, Channel, OfferingKind
from resolvers import points_earning
from resolvers.context import RequestContext
from resolvers.ordering.flash_purchases import take_device_stock
from resolvers.ordering.pipeline import Prepared
from resolvers.pricing import price

MAX_DEVICES_PER_ORDER = 5


class DevicePurchase:
    kind = OrderKind.DEVICE_PURCHASE

    def __init__(self, device_id: str, quantity: int, shipping_address: str | None) -> None:
        self.device_id = (device_id or "").strip()
        self.quantity = quantity
        self.address = shipping_address
        self.device: Device | None = None

    def fingerprint(self) -> str:
        return f"DEVICE_PURCHASE:{self.device_id}:{self.quantity}:{(self.address or '').strip()}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        device = await repo.device_by_id(self.device_id)
        if device is None or not device.active:
            raise fail("UNKNOWN_ITEM", f"There is no device {self.device_id[:32]}.", "deviceId")
        if not isinstance(self.quantity, int) or not 1 <= self.quantity <= MAX_DEVICES_PER_ORDER:
            raise fail("INVALID_QUANTITY", f"Buy 1 to {MAX_DEVICES_PER_ORDER} at once.", "quantity")
        address = check_address(ItemKind.DEVICE, self.address) or ""
        if device.stock < self.quantity:  # checked again by the guarded update
            raise fail("OUT_OF_STOCK", "This device is out of stock.", "deviceId")
        self.device = device
        name = f"{device.brand} {device.model}"
        line = CartLine(
            device.id, OfferingKind.DEVICE, name, device.list_price_fen * self.quantity, False
        )
        quote = await price(ctx, Cart((line,)), now, channel, subscriber=subscriber, now=now)
        details = DevicePurchaseDetails(
            fingerprint="",
            summary=f"购买{name}×{self.quantity}",
            charged_fen=quote.final_price_fen,
            device_id=device.id,
            quantity=self.quantity,
            shipping_address=address,
        )
        return Prepared(quote, details, OrderStatus.COMPLETED, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        assert self.device is not None
        charge = order.detail.charged_fen
        await balances.debit(conn, subscriber.id, charge, "DEVICE_PURCHASE", str(order.id), at=now)
        await take_device_stock(conn, self.device.id, self.quantity)
        if not self.device.accessory:
            await repo.record_device(conn, subscriber.id, self.device)
        await points_earning.earn_for_order(conn, order, now)
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        detail = order.detail
        await ctx.services.sms.send(
            subscriber.msisdn,
            "ORDER_DEVICE_PURCHASE",
            f"您已成功{detail.summary}，费用{yuan(detail.charged_fen)}已从账户余额扣除，"
            "我们将尽快发货。",
        )
