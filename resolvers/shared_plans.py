"""The 4G shared plan: the group as the caller sees it, the member's confirmation code, and the
order kinds SHARED_MEMBER_ADD / SHARED_MEMBER_REMOVE / SHARED_MAIN_CHANGE. A main change is a
SCHEDULED order applied lazily (`apply_due_main_change`) from the 1st of next month."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.catalog import Plan
from db.models.orders import Order
from db.models.shared_plans import SharedGroup, SharedMember
from domain.accounts import check_msisdn
from domain.calendar import local
from domain.catalog import PlanKind
from domain.errors import fail
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import SharedPlanDetails
from domain.pricing import Cart, Channel, list_quote
from domain.shared_plan import check_member_addable, main_change_effective
from resolvers.context import RequestContext
from resolvers.ordering.pipeline import Prepared

CODE_PURPOSE = "SHARED_JOIN"


@dataclass
class SharedPlanView:
    main: Subscriber
    members: list[Subscriber]
    pending_main: Subscriber | None
    pending_from: datetime | None


async def _group_led_by(subscriber_id: int, conn: BaseDBAsyncClient | None = None):
    query = SharedGroup.filter(main_id=subscriber_id)
    return await (query.using_db(conn) if conn else query).first()


async def apply_due_main_change(group: SharedGroup, now: datetime) -> SharedGroup:
    """From `pending_from` on, the pending main leads: the two numbers swap plans (the new main
    takes the SHARED plan) and places (the old main becomes a member)."""
    if group.pending_main_id is None or group.pending_from is None or now < group.pending_from:  # type: ignore[attr-defined]
        return group
    async with in_transaction() as conn:
        locked = await SharedGroup.filter(id=group.id).using_db(conn).select_for_update().first()
        if locked is None or locked.pending_main_id is None:  # type: ignore[attr-defined]
            return locked or group
        old_id, new_id = locked.main_id, locked.pending_main_id  # type: ignore[attr-defined]
        old = await Subscriber.get(id=old_id).using_db(conn)
        new = await Subscriber.get(id=new_id).using_db(conn)
        await Subscriber.filter(id=old_id).using_db(conn).update(plan_id=new.plan_id)  # type: ignore[attr-defined]
        await Subscriber.filter(id=new_id).using_db(conn).update(plan_id=old.plan_id)  # type: ignore[attr-defined]
        await SharedMember.filter(subscriber_id=new_id).using_db(conn).delete()
        await SharedMember.create(
            group_id=locked.id, subscriber_id=old_id, joined_at=locked.pending_from, using_db=conn
        )
        await (
            SharedGroup.filter(id=locked.id)
            .using_db(conn)
            .update(main_id=new_id, pending_main_id=None, pending_from=None)
        )
        await (
            Order.filter(
                subscriber_id=old_id,
                kind=OrderKind.SHARED_MAIN_CHANGE,
                status=OrderStatus.SCHEDULED,
            )
            .using_db(conn)
            .update(status=OrderStatus.COMPLETED)
        )
    return await SharedGroup.get(id=group.id)


async def group_of(subscriber_id: int, now: datetime) -> SharedGroup | None:
    """The group the subscriber leads or belongs to, with a due main change applied."""
    group = await _group_led_by(subscriber_id)
    if group is None:
        membership = await SharedMember.get_or_none(subscriber_id=subscriber_id)
        group = await SharedGroup.get(id=membership.group_id) if membership else None  # type: ignore[attr-defined]
    return await apply_due_main_change(group, now) if group else None


async def view(subscriber_id: int, now: datetime) -> SharedPlanView | None:
    group = await group_of(subscriber_id, now)
    if group is None:
        main = await Subscriber.get(id=subscriber_id)
        plan = await Plan.get_or_none(id=main.plan_id) if main.plan_id else None  # type: ignore[attr-defined]
        if plan is None or plan.kind is not PlanKind.SHARED:
            return None
        return SharedPlanView(main, [], None, None)
    members = await SharedMember.filter(group_id=group.id).order_by("joined_at", "id")
    subs = {s.id: s for s in await Subscriber.filter(id__in=[m.subscriber_id for m in members])}  # type: ignore[attr-defined]
    pending = await Subscriber.get(id=group.pending_main_id) if group.pending_main_id else None  # type: ignore[attr-defined]
    return SharedPlanView(
        await Subscriber.get(id=group.main_id),  # type: ignore[attr-defined]
        [subs[m.subscriber_id] for m in members],  # type: ignore[attr-defined]
        pending,
        group.pending_from,
    )


async def _main_on_shared(subscriber: Subscriber) -> None:
    plan = await Plan.get_or_none(id=subscriber.plan_id) if subscriber.plan_id else None  # type: ignore[attr-defined]
    if plan is None or plan.kind is not PlanKind.SHARED:
        raise fail("NOT_ELIGIBLE", "Only the main number of a shared plan may do this.", None)


async def send_member_code(ctx: RequestContext, main_id: int, msisdn: str) -> int:
    """Text the would-be member a code; the main enters it in sharedPlanAddMember."""
    msisdn = check_msisdn(msisdn)
    main = await Subscriber.get(id=main_id)
    await _main_on_shared(main)
    member = await Subscriber.get_or_none(msisdn=msisdn)
    await _check_addable(main, msisdn, member)
    code = f"{secrets.randbelow(10**6):06d}"
    s = ctx.settings
    outcome, seconds = await ctx.stores.sms_codes.issue(
        CODE_PURPOSE, msisdn, code, s.sms_code_seconds, s.sms_resend_seconds, s.sms_daily_limit
    )
    if outcome == "COOLDOWN":
        raise fail("RESEND_TOO_SOON", f"Wait {seconds} s before asking for another code.", "msisdn")
    if outcome == "DAILY_LIMIT":
        raise fail("DAILY_LIMIT", "Too many codes for this number today.", "msisdn")
    await ctx.services.sms.send(
        msisdn,
        "SMS_SHARED_JOIN",
        f"{main.msisdn[:3]}****{main.msisdn[7:]}邀请您加入4G共享套餐，验证码{code}，"
        "告知对方即表示同意加入。",
    )
    return seconds


async def _check_addable(main: Subscriber, msisdn: str, member: Subscriber | None) -> None:
    group = await _group_led_by(main.id)
    members_now = await SharedMember.filter(group_id=group.id).count() if group else 0
    in_group = member is not None and (
        await SharedMember.exists(subscriber_id=member.id)
        or await SharedGroup.exists(main_id=member.id)
    )
    check_member_addable(
        main_msisdn=main.msisdn,
        member_msisdn=msisdn,
        member_status=member.status if member else None,
        member_in_a_group=in_group,
        members_now=members_now,
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
        await _main_on_shared(subscriber)
        self.member = await Subscriber.get_or_none(msisdn=self.msisdn)
        await _check_addable(subscriber, self.msisdn, self.member)
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
        group = await _group_led_by(subscriber.id, conn)
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
        group = await group_of(subscriber.id, now)
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
        group = await group_of(subscriber.id, now)
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
