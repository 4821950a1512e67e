"""Bills: the billing run, the subscriber's bills (issued, pending, or the open cycle's
real-time charges) and the data behind the e-bill PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from db.models.accounts import Subscriber
from db.models.billing import Bill
from db.repositories import billing as repo
from domain.billing import BillItemKind, BillLine, BillStatus, cycle_status, previous_cycles
from domain.calendar import cycle_bounds, cycle_of, parse_cycle
from domain.errors import fail
from domain.money import yuan
from resolvers.context import RequestContext

MAX_BILLS = 12


@dataclass
class BillItemView:
    kind: BillItemKind
    name: str
    amount_fen: int
    member_msisdn: str | None = None


@dataclass
class MemberShareView:
    """One shared-plan member's part of the main's bill."""

    msisdn: str
    items: list[BillItemView]

    @property
    def total_fen(self) -> int:
        return sum(i.amount_fen for i in self.items)


@dataclass
class BillView:
    cycle: str
    status: BillStatus
    period_start: datetime
    period_end: datetime
    total_fen: int | None
    items: list[BillItemView] = field(default_factory=list)
    issued_at: datetime | None = None
    plan_name: str | None = None
    balance_after_fen: int | None = None

    @property
    def pdf_url(self) -> str | None:
        return f"/bills/{self.cycle}.pdf" if self.status is BillStatus.ISSUED else None

    @property
    def member_breakdown(self) -> list[MemberShareView]:
        """The members' lines of a shared plan main's bill, grouped by member (they are also in
        `items`, which `total_fen` sums)."""
        shares: dict[str, list[BillItemView]] = {}
        for item in self.items:
            if item.member_msisdn:
                shares.setdefault(item.member_msisdn, []).append(item)
        return [MemberShareView(m, items) for m, items in shares.items()]


def check_cycle(cycle: str, field_name: str = "cycle") -> str:
    try:
        year, month = parse_cycle((cycle or "").strip())
    except ValueError as exc:
        raise fail("INVALID_CYCLE", "A cycle looks like 2026-10.", field_name) from exc
    return f"{year:04d}-{month:02d}"


def _items(lines: list[BillLine]) -> list[BillItemView]:
    return [BillItemView(x.kind, x.name, x.amount_fen, x.member_msisdn) for x in lines]


def _issued(bill: Bill, items: list) -> BillView:
    start, end = cycle_bounds(bill.cycle)
    return BillView(
        cycle=bill.cycle,
        status=BillStatus.ISSUED,
        period_start=start,
        period_end=end,
        total_fen=bill.total_fen,
        items=[BillItemView(i.kind, i.name, i.amount_fen, i.member_msisdn) for i in items],
        issued_at=bill.issued_at,
        plan_name=bill.plan_name,
        balance_after_fen=bill.balance_after_fen,
    )


async def _unissued(subscriber: Subscriber, cycle: str, now: datetime) -> BillView:
    start, end = cycle_bounds(cycle)
    status = cycle_status(cycle, now, issued=False)
    if status is BillStatus.PENDING:  # 出账中: no figures until the run
        return BillView(cycle, status, start, end, None)
    plan, lines, _fee = await repo.cycle_lines(subscriber, cycle)
    return BillView(
        cycle,
        status,
        start,
        end,
        sum(line.amount_fen for line in lines),
        _items(lines),
        plan_name=plan.name if plan else None,
    )


def _in_service(subscriber: Subscriber, cycle: str) -> bool:
    _, end = cycle_bounds(cycle)
    return subscriber.joined_at < end


async def bill(subscriber: Subscriber, cycle: str, now: datetime) -> BillView | None:
    """An issued bill, a PENDING one, or the current cycle's OPEN real-time charges; null for
    a future cycle or one before the subscriber joined."""
    cycle = check_cycle(cycle)
    if cycle > cycle_of(now) or not _in_service(subscriber, cycle):
        return None
    found = await repo.bill_of(subscriber.id, cycle)
    if found is not None:
        return _issued(found, (await repo.items_of([found.id]))[found.id])
    return await _unissued(subscriber, cycle, now)


async def bills(
    subscriber: Subscriber, last: int, now: datetime, with_items: bool = True
) -> list[BillView]:
    """The last `last` ended cycles, newest first: ISSUED, or PENDING until the run.
    `with_items=False`: issued bills come without their lines (one statement fewer)."""
    if not (1 <= last <= MAX_BILLS):
        raise fail("INVALID_ARGUMENT", f"last is 1 to {MAX_BILLS}.", "last")
    cycles = [c for c in previous_cycles(now, last) if _in_service(subscriber, c)]
    found = await repo.bills_of(subscriber.id, cycles)
    items = await repo.items_of([b.id for b in found.values()] if with_items else [])
    views = []
    for cycle in cycles:
        if cycle in found:
            views.append(_issued(found[cycle], items.get(found[cycle].id, [])))
        else:
            views.append(await _unissued(subscriber, cycle, now))
    return views


@dataclass
class BillingRun:
    cycle: str
    bills_issued: int
    already_billed: int
    total_fen: int


async def billing_close(
    ctx: RequestContext,
    cycle: str,
    msisdn: str | None = None,
    now: datetime | None = None,
    progress=None,
) -> BillingRun:
    """Issue every bill of an ended cycle (or one number's); safe to re-run."""
    cycle = check_cycle(cycle)
    subscriber_ids = None
    if msisdn:
        from domain.accounts import check_msisdn

        subscriber = await Subscriber.get_or_none(msisdn=check_msisdn(msisdn))
        if subscriber is None:
            raise fail("NOT_FOUND", "This number is not one of ours.", "msisdn")
        subscriber_ids = [subscriber.id]
    summary = await repo.close_cycle(
        cycle, now=now or ctx.now(), subscriber_ids=subscriber_ids, progress=progress
    )
    from resolvers.usage import after_balance_drop

    for issued in summary.issued:
        subscriber = await Subscriber.get(id=issued.subscriber_id)
        await ctx.services.sms.send(
            issued.msisdn,
            "BILL_ISSUED",
            f"您{cycle}月账单已出，本期消费{yuan(issued.bill.total_fen)}，"
            f"当前余额{yuan(issued.bill.balance_after_fen or 0)}。",
        )
        await after_balance_drop(ctx, subscriber, issued.bill.balance_after_fen, issued.suspended)
    return BillingRun(cycle, len(summary.issued), summary.already_billed, summary.total_fen)


async def count_billable(cycle: str) -> int:
    return await repo.count_billable(check_cycle(cycle))


async def issued_bill_for_pdf(subscriber_id: int, cycle: str) -> tuple[Subscriber, BillView]:
    """The PDF needs an issued bill of the caller's own."""
    cycle = check_cycle(cycle)
    subscriber = await Subscriber.get_or_none(id=subscriber_id)
    found = await repo.bill_of(subscriber_id, cycle) if subscriber else None
    if subscriber is None or found is None:
        raise fail("NOT_FOUND", f"No issued bill for {cycle}.", "cycle")
    return subscriber, _issued(found, (await repo.items_of([found.id]))[found.id])


async def bills_for_export(
    subscriber_id: int, last: int, now: datetime
) -> tuple[Subscriber, list[BillView]]:
    """The workbook's months: the caller's last `last` bills (as `me.bills`)."""
    subscriber = await Subscriber.get_or_none(id=subscriber_id)
    if subscriber is None:
        raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
    return subscriber, await bills(subscriber, last, now)
