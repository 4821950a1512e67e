"""Order kinds SHARED_MEMBER_ADD / SHARED_MEMBER_REMOVE / SHARED_MAIN_CHANGE of the 4G shared
plan (the group itself: resolvers/shared_plans.py)."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.models.shared_plans import SharedGroup, SharedMember
from db.repositories import business_orders
from domain.accounts import check_msisdn
from domain.calendar import local
from domain.errors import fail
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import SharedPlanDetails
from domain.pricing import Cart, Channel, list_quote
from domain.shared_plan import check_member_addable, main_change_effective
from resolvers.context import RequestContext
from resolvers.ordering.pipeline import Prepared
from resolvers.shared_plans import (
    CODE_PURPOSE,
    check_addable,
    group_led_by,
    group_of,
    main_on_shared,
)


def _free(details: SharedPlanDetails, status: OrderStatus, at: datetime) -> Prepared:
    return Prepared(list_quote(Cart(()), at), details, status, at)


class SharedMemberAdd:
    kind = OrderKind.SHARED_MEMBER_ADD

    def __init__(self, msisdn: str, code: str) -> None:
        self.raw, self.code = msisdn, (code or "").strip()

    def fingerprint(self) -> str:
        return f"SHARED_MEMBER_ADD:{self.raw}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        self.msisdn = check_msisdn(self.raw)
        await main_on_shared(subscriber)
        self.member = await Subscriber.get_or_none(msisdn=self.msisdn)
        await check_addable(subscriber, self.msisdn, self.member)
        verdict = await ctx.stores.sms_codes.verify(
            CODE_PURPOSE, self.msisdn, self.code, ctx.settings.sms_code_max_tries
        )
        if verdict.outcome == "EXPIRED":
            raise fail("CODE_EXPIRED", "Ask for a code to the member's number first.", "smsCode")
        if verdict.outcome != "OK":
            raise fail("CODE_INVALID", "The member's code is wrong.", "smsCode")
        details = SharedPlanDetails(
            fingerprint="", summary=f"4G共享套餐添加副卡{self.msisdn}", member_msisdn=self.msisdn
        )
        return _free(details, OrderStatus.COMPLETED, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        assert self.member is not None
        # Checked again under the main's lock (the pipeline's) and the member's: two mains
        # adding one number, or a fifth member at once, get a userError, not a key violation.
        member = await business_orders.lock_subscriber(conn, self.member.id)
        group = await group_led_by(subscriber.id, conn)
        members_now = (
            await SharedMember.filter(group_id=group.id).using_db(conn).count() if group else 0
        )
        in_group = (
            await SharedMember.filter(subscriber_id=self.member.id).using_db(conn).exists()
            or await SharedGroup.filter(main_id=self.member.id).using_db(conn).exists()
        )
        check_member_addable(
            main_msisdn=subscriber.msisdn,
            member_msisdn=self.msisdn,
            member_status=member.status if member else None,
            member_in_a_group=in_group,
            members_now=members_now,
        )
        if group is None:
            group = await SharedGroup.create(main_id=subscriber.id, created_at=now, using_db=conn)
        # the unique subscriber key refuses a member added to two groups at once
        await SharedMember.create(
            group_id=group.id, subscriber_id=self.member.id, joined_at=now, using_db=conn
        )
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        text = f"您已{order.detail.summary}，立即生效，副卡共享主卡的流量和语音。"
        await ctx.services.sms.send(subscriber.msisdn, "ORDER_SHARED_PLAN", text)
        await ctx.services.sms.send(
            self.msisdn, "ORDER_SHARED_PLAN", f"您已加入{subscriber.msisdn}的4G共享套餐。"
        )


class SharedMemberRemove:
    kind = OrderKind.SHARED_MEMBER_REMOVE

    def __init__(self, msisdn: str) -> None:
        self.raw = msisdn

    def fingerprint(self) -> str:
        return f"SHARED_MEMBER_REMOVE:{self.raw}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        self.msisdn = check_msisdn(self.raw)
        group = await group_of(subscriber.id)
        member = await Subscriber.get_or_none(msisdn=self.msisdn)
        if group is None or group.main_id != subscriber.id or member is None:  # type: ignore[attr-defined]
            raise fail("NOT_FOUND", "This number is not a member of your shared plan.", "msisdn")
        self.row = await SharedMember.get_or_none(group_id=group.id, subscriber_id=member.id)
        if self.row is None:
            raise fail("NOT_FOUND", "This number is not a member of your shared plan.", "msisdn")
        details = SharedPlanDetails(
            fingerprint="", summary=f"4G共享套餐删除副卡{self.msisdn}", member_msisdn=self.msisdn
        )
        return _free(details, OrderStatus.COMPLETED, now)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        if not await SharedMember.filter(id=self.row.id).using_db(conn).delete():
            raise fail("NOT_FOUND", "This number is not a member of your shared plan.", "msisdn")
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        await ctx.services.sms.send(
            subscriber.msisdn, "ORDER_SHARED_PLAN", f"您已{order.detail.summary}，立即生效。"
        )
        await ctx.services.sms.send(
            self.msisdn, "ORDER_SHARED_PLAN", f"您已退出{subscriber.msisdn}的4G共享套餐。"
        )


class SharedMainChange:
    kind = OrderKind.SHARED_MAIN_CHANGE

    def __init__(self, msisdn: str) -> None:
        self.raw = msisdn

    def fingerprint(self) -> str:
        return f"SHARED_MAIN_CHANGE:{self.raw}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        self.msisdn = check_msisdn(self.raw, "newMainMsisdn")
        group = await group_of(subscriber.id)
        member = await Subscriber.get_or_none(msisdn=self.msisdn)
        if group is None or group.main_id != subscriber.id or member is None:  # type: ignore[attr-defined]
            raise fail("NOT_FOUND", "The new main must be a member of your group.", "newMainMsisdn")
        if not await SharedMember.exists(group_id=group.id, subscriber_id=member.id):
            raise fail("NOT_FOUND", "The new main must be a member of your group.", "newMainMsisdn")
        self.group_id, self.member_id = group.id, member.id
        self.effective = main_change_effective(now)
        details = SharedPlanDetails(
            fingerprint="",
            summary=f"4G共享套餐主卡变更为{self.msisdn}",
            member_msisdn=self.msisdn,
        )
        return _free(details, OrderStatus.SCHEDULED, self.effective)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        # a newer request replaces an older pending one
        await (
            Order.filter(
                subscriber_id=subscriber.id,
                kind=OrderKind.SHARED_MAIN_CHANGE,
                status=OrderStatus.SCHEDULED,
            )
            .exclude(id=order.id)
            .using_db(conn)
            .update(status=OrderStatus.SUPERSEDED)
        )
        await (
            SharedGroup.filter(id=self.group_id)
            .using_db(conn)
            .update(pending_main_id=self.member_id, pending_from=self.effective)
        )
        return order

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        when = local(self.effective).strftime("%Y-%m-%d")
        text = f"您已申请{order.detail.summary}，将于{when} 00:00生效。"
        await ctx.services.sms.send(subscriber.msisdn, "ORDER_SHARED_PLAN", text)
        await ctx.services.sms.send(self.msisdn, "ORDER_SHARED_PLAN", text.replace("您已申请", ""))
