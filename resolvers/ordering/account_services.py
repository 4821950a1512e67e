"""Order kinds CALL_SETTINGS, INTERNATIONAL_SERVICES and WLAN: a switch of an account service,
free of charge (a roaming deposit aside), recorded as a business order with an SMS notice.

Each handler validates in `prepare` (domain.account_services decides), and in `write` re-reads
the state under the subscriber's row lock, applies the change and saves it."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories import account_services as settings_repo
from db.repositories import balances, business_orders
from domain.account_services import (
    ForwardingKind,
    ServiceState,
    check_forwarding_target,
    decide_roaming_open,
    with_forwarding,
)
from domain.errors import fail
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import ServiceChangeDetails
from domain.pricing import Cart, Channel, list_quote
from resolvers.context import RequestContext
from resolvers.ordering.pipeline import Prepared

FORWARDING_NAMES = {
    ForwardingKind.UNCONDITIONAL: "无条件呼叫转移",
    ForwardingKind.BUSY: "遇忙呼叫转移",
    ForwardingKind.NO_ANSWER: "无应答呼叫转移",
    ForwardingKind.UNREACHABLE: "不可及呼叫转移",
}


def on_off(flag: bool) -> str:
    return "ON" if flag else "OFF"


def free_order(details: ServiceChangeDetails, now: datetime) -> Prepared:
    return Prepared(list_quote(Cart(()), now), details, OrderStatus.COMPLETED, now)


class CallForwarding:
    """Set (target given) or clear (target None) one kind of call forwarding."""

    kind = OrderKind.CALL_SETTINGS

    def __init__(self, forwarding: ForwardingKind, target: str | None) -> None:
        self.forwarding, self.raw_target = forwarding, target
        self.target: str | None = None

    def fingerprint(self) -> str:
        return f"CALL_FORWARDING:{self.forwarding.value}:{self.raw_target or ''}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        name = FORWARDING_NAMES[self.forwarding]
        if self.raw_target is not None:
            self.target = check_forwarding_target(self.raw_target, subscriber.msisdn)
            summary = f"设置{name}至{self.target}"
        else:
            summary = f"取消{name}"
        details = ServiceChangeDetails(
            fingerprint="",
            summary=summary,
            service=f"FORWARDING_{self.forwarding.value}",
            value=self.target or "OFF",
        )
        return free_order(details, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        state = await settings_repo.load(subscriber.id, conn)
        await settings_repo.save(
            conn, subscriber.id, with_forwarding(state, self.forwarding, self.target)
        )
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        await ctx.services.sms.send(
            subscriber.msisdn, "ORDER_CALL_SETTINGS", f"您已成功{order.detail.summary}，立即生效。"
        )


class CallWaiting:
    kind = OrderKind.CALL_SETTINGS

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def fingerprint(self) -> str:
        return f"CALL_WAITING:{on_off(self.enabled)}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        summary = "开通呼叫等待" if self.enabled else "取消呼叫等待"
        details = ServiceChangeDetails(
            fingerprint="", summary=summary, service="CALL_WAITING", value=on_off(self.enabled)
        )
        return free_order(details, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        state = await settings_repo.load(subscriber.id, conn)
        await settings_repo.save(conn, subscriber.id, state.replace(call_waiting=self.enabled))
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        await ctx.services.sms.send(
            subscriber.msisdn, "ORDER_CALL_SETTINGS", f"您已成功{order.detail.summary}，立即生效。"
        )


class InternationalServices:
    """Open or close international roaming and international long distance (None: unchanged).
    Opening roaming may hold a deposit from the balance; closing it gives the deposit back."""

    kind = OrderKind.INTERNATIONAL_SERVICES

    def __init__(self, roaming: bool | None, long_distance: bool | None) -> None:
        self.roaming, self.long_distance = roaming, long_distance

    def fingerprint(self) -> str:
        def part(v: bool | None) -> str:
            return "-" if v is None else on_off(v)

        return f"INTERNATIONAL:{part(self.roaming)}:{part(self.long_distance)}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        if self.roaming is None and self.long_distance is None:
            raise fail(
                "INVALID_ARGUMENT", "Say what to change: roaming, longDistance or both.", None
            )
        state = await settings_repo.load(subscriber.id)
        held = returned = 0
        if self.roaming and not state.roaming:
            decision = decide_roaming_open(
                real_name_verified=subscriber.real_name_verified,
                status=subscriber.status,
                joined_at=subscriber.joined_at,
                now=now,
                min_tenure_months=ctx.settings.roaming_min_tenure_months,
                deposit_fen=ctx.settings.roaming_deposit_fen,
            )
            held = decision.deposit_fen
        if self.roaming is False and state.roaming:
            returned = state.roaming_deposit_fen
        if self.long_distance and not state.long_distance and not subscriber.real_name_verified:
            raise fail(
                "NOT_VERIFIED",
                "International long distance needs a real-name registered number.",
                "longDistance",
            )
        parts = []
        if self.roaming is not None:
            parts.append(("开通" if self.roaming else "关闭") + "国际及港澳台漫游")
        if self.long_distance is not None:
            parts.append(("开通" if self.long_distance else "关闭") + "国际及港澳台长途")
        value = ",".join(
            f"{name}={on_off(v)}"
            for name, v in (("ROAMING", self.roaming), ("LONG_DISTANCE", self.long_distance))
            if v is not None
        )
        details = ServiceChangeDetails(
            fingerprint="",
            summary="、".join(parts),
            service="INTERNATIONAL",
            value=value,
            deposit_held_fen=held,
            deposit_returned_fen=returned,
        )
        return free_order(details, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        detail = order.detail
        assert isinstance(detail, ServiceChangeDetails)
        state: ServiceState = await settings_repo.load(subscriber.id, conn)
        ref = str(order.id)
        if self.roaming and not state.roaming:
            if detail.deposit_held_fen:
                await balances.debit(
                    conn, subscriber.id, detail.deposit_held_fen, "ROAMING_DEPOSIT", ref, at=now
                )
            state = state.replace(roaming=True, roaming_deposit_fen=detail.deposit_held_fen)
        elif self.roaming is False and state.roaming:
            if state.roaming_deposit_fen:
                await balances.credit(
                    conn,
                    subscriber.id,
                    state.roaming_deposit_fen,
                    "ROAMING_DEPOSIT_RETURN",
                    ref,
                    at=now,
                )
            if state.roaming_deposit_fen != detail.deposit_returned_fen:
                order = await business_orders.save_details(
                    conn, order, detail.replace(deposit_returned_fen=state.roaming_deposit_fen)
                )
            state = state.replace(roaming=False, roaming_deposit_fen=0)
        if self.long_distance is not None:
            state = state.replace(long_distance=self.long_distance)
        await settings_repo.save(conn, subscriber.id, state)
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        detail = order.detail
        assert isinstance(detail, ServiceChangeDetails)
        money = ""
        if detail.deposit_held_fen:
            money = f"，已从账户余额冻结押金{yuan(detail.deposit_held_fen)}"
        if detail.deposit_returned_fen:
            money = f"，押金{yuan(detail.deposit_returned_fen)}已退回账户余额"
        await ctx.services.sms.send(
            subscriber.msisdn,
            "ORDER_INTERNATIONAL_SERVICES",
            f"您已成功{detail.summary}{money}，立即生效。",
        )
