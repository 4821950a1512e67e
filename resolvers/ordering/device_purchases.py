"""Order kind DEVICE_PURCHASE: a phone or accessory (手机, 配件) from the catalog at its price
(campaigns targeting DEVICE may lower it), shipped to an address, paid from the balance (at
once) or through the payment provider (ALIPAY, WECHAT, BANK_CARD: the order waits
PENDING_PAYMENT, its stock held, until the provider's signed callback —
`resolvers.device_payments`). The stock goes down by a guarded update (never below zero) and a
phone is recorded on the subscriber once paid, so the 5G check of plan changes uses it."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.flash import Device
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories import balances
from db.repositories import flash_sales as repo
from domain.errors import fail
from domain.flash.model import ItemKind, check_address
from domain.idempotency import internal_key
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import DevicePurchaseDetails
from domain.payments import PaymentMethod, PaymentPurpose
from domain.pricing import Cart, CartLine, Channel, OfferingKind
from resolvers import points_earning
from resolvers.context import RequestContext
from resolvers.ordering.flash_purchases import FlashPayMethod, take_device_stock
from resolvers.ordering.pipeline import Prepared
from resolvers.pricing import price

MAX_DEVICES_PER_ORDER = 5


class DevicePurchase:
    kind = OrderKind.DEVICE_PURCHASE

    def __init__(
        self,
        device_id: str,
        quantity: int,
        shipping_address: str | None,
        method: FlashPayMethod = FlashPayMethod.BALANCE,
    ) -> None:
        self.device_id = (device_id or "").strip()
        self.quantity = quantity
        self.address = shipping_address
        self.method = FlashPayMethod(method)
        self.device: Device | None = None
        self.channel = Channel.WEB
        self.payment_id = uuid4()

    @property
    def from_balance(self) -> bool:
        return self.method is FlashPayMethod.BALANCE

    def fingerprint(self) -> str:
        paid = "" if self.from_balance else f":{self.method.value}"  # balance keys replay as before
        return (
            f"DEVICE_PURCHASE:{self.device_id}:{self.quantity}:{(self.address or '').strip()}{paid}"
        )

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
        self.device, self.channel = device, channel
        name = f"{device.brand} {device.model}"
        line = CartLine(
            device.id, OfferingKind.DEVICE, name, device.list_price_fen * self.quantity, False
        )
        quote = await price(ctx, Cart((line,)), now, channel, subscriber=subscriber, now=now)
        details = DevicePurchaseDetails(
            fingerprint="",
            summary=f"购买{name}×{self.quantity}",
            charged_fen=quote.final_price_fen if self.from_balance else 0,  # set once paid
            device_id=device.id,
            quantity=self.quantity,
            shipping_address=address,
            method=self.method.value,
            payment_id=None if self.from_balance else str(self.payment_id),
        )
        status = OrderStatus.COMPLETED if self.from_balance else OrderStatus.PENDING_PAYMENT
        return Prepared(quote, details, status, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        assert self.device is not None
        if not self.from_balance:  # the stock is held for the payer; the rest once paid
            await take_device_stock(conn, self.device.id, self.quantity)
            await Payment.create(
                id=self.payment_id, subscriber_id=subscriber.id, msisdn=subscriber.msisdn,
                payer_scope=f"sub:{subscriber.id}",
                idempotency_key=internal_key("device", order.id),
                fingerprint=self.fingerprint()[:64], amount_fen=order.final_price_fen,
                payable_fen=order.final_price_fen, method=PaymentMethod(self.method.value),
                channel=self.channel, purpose=PaymentPurpose.DEVICE_PURCHASE,
                reference=str(order.id), created_at=now, using_db=conn,
            )  # fmt: skip
            return order
        charge = order.detail.charged_fen
        await balances.debit(conn, subscriber.id, charge, "DEVICE_PURCHASE", str(order.id), at=now)
        await take_device_stock(conn, self.device.id, self.quantity)
        if not self.device.accessory:
            await repo.record_device(conn, subscriber.id, self.device)
        await points_earning.earn_for_order(conn, order, now)
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        detail = order.detail
        if not self.from_balance:  # the notice comes with the provider's callback
            provider = ctx.services.payments
            if provider is None:
                raise RuntimeError("no payment provider is configured")
            url = await provider.start(
                str(self.payment_id), order.final_price_fen, self.method.value, False
            )
            order.details = detail.replace(pay_url=url).to_json()
            await Order.filter(id=order.id).update(details=order.details)
            await Payment.filter(id=self.payment_id).update(pay_url=url)
            return
        await ctx.services.sms.send(
            subscriber.msisdn,
            "ORDER_DEVICE_PURCHASE",
            f"您已成功{detail.summary}，费用{yuan(detail.charged_fen)}已从账户余额扣除，"
            "我们将尽快发货。",
        )
