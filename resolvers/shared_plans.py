"""The 4G shared plan: the group as the caller sees it, the member's confirmation code, and the
scheduler's part (the due main changes of the 1st, groups of closed mains ended). The order
kinds: resolvers/ordering/shared_plan_orders.py; the group over time:
db/repositories/shared_groups.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.catalog import Plan
from db.models.shared_plans import SharedGroup, SharedMember
from db.repositories import shared_groups
from domain.accounts import check_msisdn
from domain.catalog import PlanKind
from domain.errors import fail
from domain.shared_plan import check_member_addable
from resolvers.context import RequestContext

CODE_PURPOSE = "SHARED_JOIN"


@dataclass
class SharedPlanView:
    main: Subscriber
    members: list[Subscriber]
    pending_main: Subscriber | None
    pending_from: datetime | None


async def group_led_by(subscriber_id: int, conn: BaseDBAsyncClient | None = None):
    query = SharedGroup.filter(main_id=subscriber_id)
    return await (query.using_db(conn) if conn else query).first()


async def group_of(subscriber_id: int) -> SharedGroup | None:
    """The group the subscriber leads or belongs to."""
    group = await group_led_by(subscriber_id)
    if group is None:
        membership = await SharedMember.get_or_none(subscriber_id=subscriber_id)
        group = await SharedGroup.get(id=membership.group_id) if membership else None  # type: ignore[attr-defined]
    return group


async def view(subscriber_id: int) -> SharedPlanView | None:
    group = await group_of(subscriber_id)
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


async def main_on_shared(subscriber: Subscriber) -> None:
    plan = await Plan.get_or_none(id=subscriber.plan_id) if subscriber.plan_id else None  # type: ignore[attr-defined]
    if plan is None or plan.kind is not PlanKind.SHARED:
        raise fail("NOT_ELIGIBLE", "Only the main number of a shared plan may do this.", None)


async def send_member_code(ctx: RequestContext, main_id: int, msisdn: str) -> int:
    """Text the would-be member a code; the main enters it in sharedPlanAddMember."""
    msisdn = check_msisdn(msisdn)
    main = await Subscriber.get(id=main_id)
    await main_on_shared(main)
    member = await Subscriber.get_or_none(msisdn=msisdn)
    await check_addable(main, msisdn, member)
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


async def check_addable(main: Subscriber, msisdn: str, member: Subscriber | None) -> None:
    group = await group_led_by(main.id)
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


@dataclass
class GroupsRun:
    main_changes: int
    dissolved: int


async def run_scheduled(now: datetime) -> GroupsRun:
    """The job of 00:00 on the 1st: hand over every due main change, then end the groups whose
    main was closed. Both are idempotent (a change applies once, an ended group is gone)."""
    return GroupsRun(
        await shared_groups.apply_due_main_changes(now),
        await shared_groups.dissolve_groups_of_closed_mains(now),
    )
