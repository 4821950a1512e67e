"""A shared plan's group over time: the main change scheduled for the 1st (applied by the
`shared-main-changes` job, never on read) and the end of a group whose main number left the
SHARED plan or was closed. Whether a group ends is `domain.shared_plan.dissolve_reason`.

Locks: the main number first, then the member, then the group row, the order every writer of a
group follows (an order's pipeline locks the main, then `SharedMemberAdd` the member; rating a
member's usage locks the main it draws from, then the member), so two of them never wait on
each other in a cycle."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.catalog import Plan
from db.models.orders import Order
from db.models.shared_plans import SharedGroup, SharedMember
from db.repositories import outbox
from db.repositories.business_orders import lock_subscriber
from domain.accounts import SubscriberStatus
from domain.calendar import as_utc
from domain.catalog import PlanKind
from domain.idempotency import internal_key
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import SharedPlanDetails
from domain.shared_plan import (
    DissolveReason,
    dissolution_notice,
    dissolution_summary,
    dissolve_reason,
)

NOTICE_KIND = "ORDER_SHARED_PLAN"


async def on_shared_plan(plan_id: str | None, conn: BaseDBAsyncClient | None = None) -> bool:
    if not plan_id:
        return False
    query = Plan.filter(id=plan_id)
    plan = await (query.using_db(conn) if conn else query).first()
    return plan is not None and plan.kind is PlanKind.SHARED


def _due(now: datetime):
    return SharedGroup.filter(pending_main_id__isnull=False, pending_from__lte=as_utc(now))


async def apply_due_main_changes(now: datetime) -> int:
    """Every main change due at `now`; returns how many groups changed hands."""
    applied = 0
    for group_id in await _due(now).order_by("id").values_list("id", flat=True):
        applied += await apply_main_change(group_id, now)
    return applied


async def apply_due_main_change_of(subscriber_id: int, now: datetime) -> int:
    """The due main change of the group this subscriber leads or is to lead, if any (a plan
    change due at the same instant applies after it, whichever job or read gets there first)."""
    for field in ("main_id", "pending_main_id"):
        found = await _due(now).filter(**{field: subscriber_id}).values_list("id", flat=True)
        if found:
            return await apply_main_change(found[0], now)
    return 0


async def apply_main_change(group_id: int, now: datetime) -> int:
    """From `pending_from` on, the pending main leads: the two numbers swap plans (the new main
    takes the SHARED plan) and places (the old main becomes a member), and the SCHEDULED order
    completes. A pending main who has left the group since, or either number closed, cancels
    the change.
    Returns 1 when this call changed hands (0 when it was not due, or was done already)."""
    now = as_utc(now)
    row = await SharedGroup.filter(id=group_id).values("main_id", "pending_main_id")
    if not row or row[0]["pending_main_id"] is None:
        return 0
    old_id, new_id = row[0]["main_id"], row[0]["pending_main_id"]
    async with in_transaction() as conn:
        numbers = {}
        for number_id in (old_id, new_id):  # the main first
            locked = await lock_subscriber(conn, number_id)
            if locked is not None:
                numbers[number_id] = locked
        group = (
            await SharedGroup.filter(
                id=group_id, main_id=old_id, pending_main_id=new_id, pending_from__lte=now
            )
            .select_for_update()
            .using_db(conn)
            .first()
        )
        if group is None or len(numbers) < 2:
            return 0
        old, new = numbers[old_id], numbers[new_id]
        still_member = (
            await SharedMember.filter(group_id=group_id, subscriber_id=new_id)
            .using_db(conn)
            .exists()
        )
        # a closed main hands nothing over (its group ends: dissolve_groups_of_closed_mains)
        closed = SubscriberStatus.CLOSED in (old.status, new.status)
        takes_over = still_member and not closed
        outcome = OrderStatus.COMPLETED if takes_over else OrderStatus.CANCELLED
        await _close_pending_order(conn, old_id, outcome, now)
        await (
            SharedGroup.filter(id=group_id)
            .using_db(conn)
            .update(pending_main_id=None, pending_from=None)
        )
        if not takes_over:
            return 0
        await Subscriber.filter(id=old_id).using_db(conn).update(plan_id=new.plan_id)  # type: ignore[attr-defined]
        await Subscriber.filter(id=new_id).using_db(conn).update(plan_id=old.plan_id)  # type: ignore[attr-defined]
        await SharedMember.filter(subscriber_id=new_id).using_db(conn).delete()
        await SharedMember.create(
            group_id=group_id, subscriber_id=old_id, joined_at=group.pending_from, using_db=conn
        )
        await SharedGroup.filter(id=group_id).using_db(conn).update(main_id=new_id)
    return 1


async def _close_pending_order(
    conn: BaseDBAsyncClient, main_id: int, status: OrderStatus, now: datetime
) -> None:
    await (
        Order.filter(
            subscriber_id=main_id,
            kind=OrderKind.SHARED_MAIN_CHANGE,
            status=OrderStatus.SCHEDULED,
        )
        .using_db(conn)
        .update(status=status, updated_at=now)
    )


async def dissolve_if_main_left(
    conn: BaseDBAsyncClient, main: Subscriber, plan_id: str | None, now: datetime
) -> int:
    """Inside the transaction that changed the main number (its row locked): end the group it
    leads if `domain.shared_plan.dissolve_reason` says so. Returns how many members left."""
    group = await SharedGroup.filter(main_id=main.id).using_db(conn).first()
    if group is None:
        return 0
    reason = dissolve_reason(main.status, await on_shared_plan(plan_id, conn))
    return await _dissolve(conn, group, main, reason, now) if reason else 0


async def dissolve_groups_of_closed_mains(now: datetime) -> int:
    """Groups whose main number was closed (closing happens outside the hall): members have
    stopped sharing at once (rating asks `shares_with_members`); this ends the groups for good,
    with their notices and records. Returns how many groups ended."""
    ended = 0
    mains = await SharedGroup.filter(main__status=SubscriberStatus.CLOSED).values_list(
        "main_id", flat=True
    )
    for main_id in mains:
        async with in_transaction() as conn:
            main = await lock_subscriber(conn, main_id)
            if main is None or main.status is not SubscriberStatus.CLOSED:
                continue
            group = await SharedGroup.filter(main_id=main_id).using_db(conn).first()
            if group is not None:
                await _dissolve(conn, group, main, DissolveReason.MAIN_CLOSED, now)
                ended += 1
    return ended


async def _dissolve(
    conn: BaseDBAsyncClient,
    group: SharedGroup,
    main: Subscriber,
    reason: DissolveReason,
    now: datetime,
) -> int:
    """Members leave, a pending main change is cancelled, the group row goes (the main may lead
    a new group later); each number gets an order record and each member an SMS notice."""
    now = as_utc(now)
    member_ids = (
        await SharedMember.filter(group_id=group.id)
        .using_db(conn)
        .values_list("subscriber_id", flat=True)
    )
    members = await Subscriber.filter(id__in=list(member_ids)).using_db(conn).order_by("id")
    await _close_pending_order(conn, main.id, OrderStatus.CANCELLED, now)
    await SharedMember.filter(group_id=group.id).using_db(conn).delete()
    await SharedGroup.filter(id=group.id).using_db(conn).delete()
    summary = dissolution_summary(main.msisdn, reason)
    for number in (main, *members):
        await Order.create(
            subscriber_id=number.id,
            kind=OrderKind.SHARED_GROUP_DISSOLVE,
            status=OrderStatus.COMPLETED,
            idempotency_key=internal_key("shared-dissolve", group.id),
            details=SharedPlanDetails(
                fingerprint=f"SHARED_GROUP_DISSOLVE:{group.id}",
                summary=summary,
                member_msisdn=main.msisdn,
            ).to_json(),
            effective_from=now,
            created_at=now,
            using_db=conn,
        )
    text = dissolution_notice(main.msisdn, reason)
    for member in members:
        await outbox.queue(member.msisdn, NOTICE_KIND, text, now, using_db=conn)
    if reason is DissolveReason.MAIN_LEFT_PLAN:
        await outbox.queue(
            main.msisdn, NOTICE_KIND, f"{summary}，副卡已收到通知。", now, using_db=conn
        )
    return len(members)
