"""The billing run and the queries behind bills.

`close_cycle` issues each subscriber's bill once (the unique (subscriber, cycle) index decides a
race) and, in the same transaction, debits the plan's monthly fee: the run is what charges the
fee. Usage and value-added charges were debited when rated, packs when bought, so the run
debits nothing else. The subscriber row is locked while the bill is composed, so an event rated
concurrently lands either before (in this bill) or is refused as CYCLE_CLOSED after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.billing import Bill, BillItem
from db.models.catalog import Plan
from db.models.orders import Order
from db.models.usage import UsageRecord
from db.repositories import balances
from db.repositories import points as points_repo
from db.repositories.allowances import plan_of_cycle
from db.repositories.business_orders import lock_subscriber
from db.repositories.rating import suspend_if_over_limit
from domain.accounts import SubscriberStatus
from domain.billing import (
    BillLine,
    PackCharge,
    UsageCharge,
    UsageOnBill,
    check_closable,
    compose_bill,
    scheduled_fee,
    split_by_payer,
)
from domain.calendar import cycle_bounds
from domain.errors import fail
from domain.orders import OrderKind, OrderStatus
from domain.points.earning import bill_spend_fen, points_for
from domain.rating import UsageKind

FEE_REASON = "MONTHLY_FEE"
CHUNK = 200
# closed numbers are gone; a line bought online is billed from its activation (joined_at then)
NOT_BILLED = (SubscriberStatus.CLOSED, SubscriberStatus.INACTIVE)


@dataclass
class IssuedBill:
    subscriber_id: int
    msisdn: str
    bill: Bill
    suspended: bool


@dataclass
class CloseSummary:
    cycle: str
    issued: list[IssuedBill] = field(default_factory=list)
    already_billed: int = 0

    @property
    def total_fen(self) -> int:
        return sum(i.bill.total_fen for i in self.issued)


def _pack_name(order: Order) -> str:
    """The offering's name as priced (the first line of the order's quote)."""
    lines = order.pricing.get("lines") if isinstance(order.pricing, dict) else None
    if lines and isinstance(lines[0], dict) and isinstance(lines[0].get("name"), str):
        return lines[0]["name"][:90]
    return "流量/语音加油包"


async def cycle_lines(
    subscriber: Subscriber, cycle: str, conn=None
) -> tuple[Plan | None, list[BillLine], int]:
    """The bill lines of a cycle as the records and orders stand now, and the monthly fee the
    billing run charges (after any recurring promotion)."""
    start, end = cycle_bounds(cycle)
    plan = await plan_of_cycle(subscriber, cycle, conn)
    orders = (
        await Order.filter(
            subscriber_id=subscriber.id,
            kind=OrderKind.PACK_PURCHASE,
            status=OrderStatus.COMPLETED,
            created_at__gte=start,
            created_at__lt=end,
        )
        .using_db(conn)
        .order_by("created_at")
    )
    packs = [
        PackCharge(_pack_name(o), o.final_price_fen, o.list_price_fen - o.final_price_fen)
        for o in orders
    ]
    usage = await usage_on_bill(subscriber, cycle, conn)
    fee = plan.monthly_fee_fen if plan else 0
    discount = await fee_discount(subscriber, plan, cycle, conn) if plan else 0
    lines = compose_bill(
        plan_name=plan.name if plan else None,
        monthly_fee_fen=fee,
        packs=packs,
        usage_fen=usage.own,
        value_added_fen=usage.own_value_added,
        fee_discount_fen=discount,
        members=usage.members,
    )
    return plan, lines, fee - discount


async def usage_on_bill(subscriber: Subscriber, cycle: str, conn=None) -> UsageOnBill:
    """The rated charges this number pays in `cycle`: its own (not those a shared plan's main
    paid) and its members' (those it paid as the main), one grouped query."""
    rows = (
        await UsageRecord.filter(
            Q(subscriber_id=subscriber.id, payer_id__isnull=True) | Q(payer_id=subscriber.id),
            cycle=cycle,
        )
        .using_db(conn)
        .annotate(fen=Sum("charge_fen"))
        .group_by("subscriber_id", "payer_id", "kind", "service_name")
        .values("subscriber_id", "payer_id", "kind", "service_name", "fen")
    )
    others = {r["subscriber_id"] for r in rows} - {subscriber.id}
    msisdns = {subscriber.id: subscriber.msisdn}
    if others:
        query = Subscriber.filter(id__in=list(others)).using_db(conn)
        msisdns |= dict(await query.values_list("id", "msisdn"))
    charges = [
        UsageCharge(
            msisdn=msisdns[r["subscriber_id"]],
            kind=UsageKind(r["kind"]),
            charge_fen=int(r["fen"] or 0),
            service_name=r["service_name"],
            payer=msisdns[r["payer_id"]] if r["payer_id"] else None,
        )
        for r in rows
    ]
    return split_by_payer(subscriber.msisdn, charges)


async def fee_discount(subscriber: Subscriber, plan: Plan, cycle: str, conn=None) -> int:
    """The monthly-fee discount promised for `cycle` by the order that put the subscriber on
    `plan` (a recurring promotion priced into its schedule); 0 when none did."""
    start, _ = cycle_bounds(cycle)
    orders = (
        await Order.filter(
            subscriber_id=subscriber.id,
            kind__in=[OrderKind.PLAN_CHANGE, OrderKind.BUNDLE],
            status=OrderStatus.COMPLETED,
            effective_from__lte=start,
        )
        .using_db(conn)
        .order_by("-effective_from", "-created_at")
        .limit(12)
    )
    order = next((o for o in orders if getattr(o.detail, "plan_id", None) == plan.id), None)
    promised = scheduled_fee(order.pricing, cycle) if order is not None else None
    return max(plan.monthly_fee_fen - promised, 0) if promised is not None else 0


async def issue_bill(subscriber: Subscriber, cycle: str, *, at: datetime) -> IssuedBill | None:
    """Issue one bill and debit the fee; None when that cycle is already billed."""
    issued_at = at
    try:
        async with in_transaction() as conn:
            locked = await lock_subscriber(conn, subscriber.id)
            assert locked is not None
            if await Bill.filter(subscriber_id=locked.id, cycle=cycle).using_db(conn).exists():
                return None
            plan, lines, fee = await cycle_lines(locked, cycle, conn)
            bill = await Bill.create(
                subscriber_id=locked.id,
                cycle=cycle,
                plan_id=plan.id if plan else None,
                plan_name=plan.name if plan else None,
                total_fen=sum(line.amount_fen for line in lines),
                issued_at=issued_at,
                using_db=conn,
            )
            await BillItem.bulk_create(
                [
                    BillItem(
                        bill_id=bill.id,
                        position=i,
                        kind=line.kind,
                        name=line.name[:96],
                        amount_fen=line.amount_fen,
                        member_msisdn=line.member_msisdn,
                    )
                    for i, line in enumerate(lines)
                ],
                using_db=conn,
            )
            balance = await balances.debit(
                conn,
                locked.id,
                fee,
                FEE_REASON,
                ref=f"bill:{cycle}",
                allow_overdraft=True,
                at=issued_at,
            )
            suspended = await suspend_if_over_limit(conn, locked, balance)
            # The bill settles the month's fee and usage: its points, once per bill.
            await points_repo.earn(
                conn,
                locked.id,
                f"BILL:{bill.id}",
                points_for(bill_spend_fen(fee, lines)),
                issued_at,
                note=f"{cycle}账单消费",
            )
            bill.balance_after_fen = balance
            await bill.save(update_fields=["balance_after_fen"], using_db=conn)
            return IssuedBill(locked.id, locked.msisdn, bill, suspended)
    except IntegrityError:
        return None  # issued concurrently by another run


async def close_cycle(
    cycle: str,
    *,
    now: datetime,
    subscriber_ids: list[int] | None = None,
    at: datetime | None = None,
    progress=None,
) -> CloseSummary:
    """Issue the bills of an ended cycle for every subscriber in service during it (issued at
    `at`, by default `now`)."""
    try:
        _, end = check_closable(cycle, now)
    except ValueError as exc:
        raise fail("CYCLE_NOT_ENDED", f"{cycle} has not ended yet.", "cycle") from exc
    summary = CloseSummary(cycle)
    query = Subscriber.filter(joined_at__lt=end).exclude(status__in=NOT_BILLED)
    if subscriber_ids is not None:
        query = query.filter(id__in=subscriber_ids)
    last_id = 0
    while True:
        chunk = await query.filter(id__gt=last_id).order_by("id").limit(CHUNK)
        if not chunk:
            break
        for subscriber in chunk:
            issued = await issue_bill(subscriber, cycle, at=at or now)
            if issued is None:
                summary.already_billed += 1
            else:
                summary.issued.append(issued)
            if progress is not None:
                progress(1)
        last_id = chunk[-1].id
    return summary


async def count_billable(cycle: str) -> int:
    _, end = cycle_bounds(cycle)
    return await Subscriber.filter(joined_at__lt=end).exclude(status__in=NOT_BILLED).count()


async def bill_of(subscriber_id: int, cycle: str) -> Bill | None:
    return await Bill.get_or_none(subscriber_id=subscriber_id, cycle=cycle)


async def bills_of(subscriber_id: int, cycles: list[str]) -> dict[str, Bill]:
    if not cycles:  # a subscriber who joined this cycle: no `WHERE 1=0` round trip
        return {}
    rows = await Bill.filter(subscriber_id=subscriber_id, cycle__in=cycles)
    return {b.cycle: b for b in rows}


async def items_of(bill_ids: list[int]) -> dict[int, list[BillItem]]:
    found: dict[int, list[BillItem]] = {i: [] for i in bill_ids}
    if not bill_ids:  # a PENDING cycle has no bill row yet: no `WHERE 1=0` round trip
        return found
    for item in await BillItem.filter(bill_id__in=bill_ids).order_by("bill_id", "position"):
        found[item.bill_id].append(item)  # type: ignore[attr-defined]
    return found
