"""Order kind WLAN: the WLAN service on or off, and a new random password sent by SMS only."""

from __future__ import annotations

import secrets
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories import account_services as settings_repo
from domain.orders import OrderKind
from domain.orders.details import ServiceChangeDetails
from domain.pricing import Channel
from resolvers.context import RequestContext
from resolvers.ordering.account_services import free_order, on_off
from resolvers.ordering.pipeline import Prepared


class WlanSet:
    kind = OrderKind.WLAN

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def fingerprint(self) -> str:
        return f"WLAN:{on_off(self.enabled)}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        details = ServiceChangeDetails(
            fingerprint="",
            summary="开通WLAN业务" if self.enabled else "关闭WLAN业务",
            service="WLAN",
            value=on_off(self.enabled),
        )
        return free_order(details, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        state = await settings_repo.load(subscriber.id, conn)
        await settings_repo.save(conn, subscriber.id, state.replace(wlan=self.enabled))
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        await ctx.services.sms.send(
            subscriber.msisdn, "ORDER_WLAN", f"您已成功{order.detail.summary}，立即生效。"
        )


def new_wlan_password() -> str:
    """Eight characters without look-alikes (no 0/O, 1/l/I), for typing on a login page."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class WlanPasswordReset:
    """A new random WLAN password, stored hashed and delivered by SMS only."""

    kind = OrderKind.WLAN

    def __init__(self) -> None:
        self.password: str | None = None

    def fingerprint(self) -> str:
        return "WLAN_PASSWORD_RESET"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        self.password = new_wlan_password()
        self.password_hash = ctx.services.hasher.hash(self.password)
        details = ServiceChangeDetails(
            fingerprint="", summary="重置WLAN密码", service="WLAN_PASSWORD", value="RESET"
        )
        return free_order(details, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        state = await settings_repo.load(subscriber.id, conn)
        await settings_repo.save(conn, subscriber.id, state, wlan_password_hash=self.password_hash)
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        await ctx.services.sms.send(
            subscriber.msisdn,
            "ORDER_WLAN_PASSWORD",
            f"您的WLAN密码已重置为{self.password}，请妥善保管，勿告知他人。",
        )
