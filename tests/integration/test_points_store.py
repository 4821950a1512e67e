"""The stored ledger against the pure one, the billing run and pack orders earning once, a
clawback once, the batched year-end expiry, and parallel redemptions on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from db.models.orders import Order
from db.models.points import PointsAccount, PointsAllocation, PointsEntry, PointsLot
from db.repositories import points as repo
from db.repositories.billing import close_cycle
from db.repositories.points_expiry import expire_all
from domain.calendar import SHANGHAI, add_months, cycle_of, local
from domain.errors import DomainError
from domain.points.ledger import Ledger, expire_source, lot_expires_at
from resolvers import points_earning
from resolvers.ordering.pack_purchases import PackPurchase
from resolvers.ordering.pipeline import place_order
from tests.conftest import subscribe

T0 = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January 2026 in Beijing


async def check_consistent(subscriber_id: int) -> int:
    account = await PointsAccount.get(subscriber_id=subscriber_id)
    lots = await PointsLot.filter(subscriber_id=subscriber_id)
    entries = await PointsEntry.filter(subscriber_id=subscriber_id)
    assert account.balance == sum(lot.remaining for lot in lots) == sum(e.amount for e in entries)
    assert all(0 <= lot.remaining <= lot.amount for lot in lots)
    for entry in entries:
        allocated = await PointsAllocation.filter(entry_id=entry.id)
        assert sum(a.points for a in allocated) == abs(entry.amount)
    return account.balance


async def run(op, *args):
    async with in_transaction() as conn:
        return await op(conn, *args)


async def test_stored_ledger_follows_the_pure_one(services):
    sub = await subscribe(services)
    model = Ledger()
    at = T0
    steps = [
        ("earn", "ORDER:a", 300),
        ("earn", "ORDER:b", 200),
        ("redeem", "R:1", 350),
        ("clawback", "ORDER:b"),
        ("earn", "BILL:c", 100),
        ("refund", "R:1"),
        ("time", 300),
        ("redeem", "R:2", 50),
        ("adjust", "ADJ:1", 40),
        ("adjust", "ADJ:2", -20),
        ("time", 400),
        ("earn", "BILL:d", 10),
    ]
    for step in steps:
        name, *args = step
        s = lambda x: f"{sub.id}:{x}"  # noqa: E731 - sources are global in the database
        if name == "earn":
            model.earn(s(args[0]), args[1], at)
            await run(repo.earn, sub.id, s(args[0]), args[1], at)
        elif name == "redeem":
            model.redeem(s(args[0]), args[1], at)
            await run(repo.redeem, sub.id, s(args[0]), args[1], at)
        elif name == "clawback":
            model.clawback(s(args[0]), at)
            await run(repo.clawback, sub.id, s(args[0]), at)
        elif name == "refund":
            model.refund(s(args[0]), at)
            await run(repo.refund, sub.id, s(args[0]), at)
        elif name == "adjust":
            model.adjust(s(args[0]), args[1], at, "客服补偿")
            await run(repo.adjust, sub.id, s(args[0]), args[1], at, "客服补偿", "operator")
        else:
            at += timedelta(days=args[0])
        assert await check_consistent(sub.id) == model.balance
        kinds = [e.kind for e in await PointsEntry.filter(subscriber_id=sub.id).order_by("id")]
        assert kinds == [e.kind for e in model.entries]
    first = await PointsLot.filter(subscriber_id=sub.id).order_by("id").first()
    assert first.year == 2026 and first.expires_at == datetime(2027, 12, 31, 16, tzinfo=UTC)
    rows = await PointsEntry.filter(subscriber_id=sub.id).count()
    await run(repo.earn, sub.id, f"{sub.id}:ORDER:a", 300, at)
    await run(repo.refund, sub.id, f"{sub.id}:R:1", at)
    await run(repo.clawback, sub.id, f"{sub.id}:ORDER:b", at)
    assert await PointsEntry.filter(subscriber_id=sub.id).count() == rows


async def test_redeeming_more_than_the_balance_is_refused(services):
    sub = await subscribe(services)
    await run(repo.earn, sub.id, f"{sub.id}:E", 100, T0)
    with pytest.raises(DomainError) as error:
        await run(repo.redeem, sub.id, f"{sub.id}:R", 101, T0)
    assert error.value.code == "INSUFFICIENT_POINTS"
    assert await check_consistent(sub.id) == 100


async def test_year_end_expiry_runs_once_and_in_batches(services):
    subs = [await subscribe(services) for _ in range(3)]
    for sub in subs:
        await run(repo.earn, sub.id, f"{sub.id}:old", 70, T0)
        await run(repo.earn, sub.id, f"{sub.id}:new", 30, T0 + timedelta(days=400))
    at = lot_expires_at(T0)
    lots, points = await expire_all(at, batch=2)
    assert lots >= 3 and points >= 210
    for sub in subs:
        assert await check_consistent(sub.id) == 30
    assert await expire_all(at, batch=2) == (0, 0)


async def test_a_bill_earns_once_even_when_the_run_repeats(services, clock):
    sub = await subscribe(services, plan_id="4G-136", balance_fen=100_000)
    now = clock.now()
    y, m = add_months(local(now).year, local(now).month, 1)
    later = datetime(y, m, 3, 9, tzinfo=SHANGHAI)
    cycle = cycle_of(now)
    await close_cycle(cycle, now=later, subscriber_ids=[sub.id], at=later)
    await close_cycle(cycle, now=later, subscriber_ids=[sub.id], at=later)
    earned = await PointsEntry.filter(subscriber_id=sub.id, source__startswith="BILL:")
    assert len(earned) == 1 and earned[0].amount == 136
    assert await check_consistent(sub.id) == 136


async def test_a_pack_order_earns_and_its_cancellation_claws_back_once(services, ctx, clock):
    sub = await subscribe(services, balance_fen=100_000)
    order = await place_order(ctx, sub.id, "pts-1", PackPurchase("ADD-7D-1G"))
    charged = order.detail.charged_fen
    assert await check_consistent(sub.id) == charged // 100
    again = await Order.get(id=order.id)
    async with in_transaction() as conn:
        await points_earning.earn_for_order(conn, again, clock.now())
        await points_earning.clawback_order(conn, again, clock.now())
        await points_earning.clawback_order(conn, again, clock.now())
    assert await check_consistent(sub.id) == 0
    assert await PointsEntry.filter(subscriber_id=sub.id, kind="CLAWBACK").count() == 1


async def test_100_parallel_redemptions_for_10_succeed_exactly_10(services, postgres_only):
    sub = await subscribe(services)
    await run(repo.earn, sub.id, f"{sub.id}:E", 1000, T0)

    async def one(i: int) -> bool:
        try:
            await run(repo.redeem, sub.id, f"{sub.id}:R:{i}", 100, T0)
        except DomainError:
            return False
        return True

    results = await asyncio.gather(*(one(i) for i in range(100)))
    assert sum(results) == 10
    assert await check_consistent(sub.id) == 0


async def test_batched_expiry_writes_one_entry_per_expiry_instant_with_running_balances(services):
    sub = await subscribe(services)
    older = T0 - timedelta(days=1)  # 2025 in Beijing: it expires a year before the T0 lot
    await run(repo.earn, sub.id, f"{sub.id}:older", 40, older)
    await run(repo.earn, sub.id, f"{sub.id}:old", 70, T0)
    at = lot_expires_at(T0)
    assert lot_expires_at(older) < at
    lots, points = await expire_all(at, batch=1)
    assert lots >= 2 and points >= 110
    expiries = await PointsEntry.filter(subscriber_id=sub.id, kind="EXPIRE").order_by("id")
    assert [e.amount for e in expiries] == [-40, -70]
    assert [e.balance_after for e in expiries] == [70, 0]
    assert [e.source for e in expiries] == [
        expire_source(sub.id, lot_expires_at(older)),
        expire_source(sub.id, at),
    ]
    assert await check_consistent(sub.id) == 0
    assert await expire_all(at) == (0, 0)


async def test_parallel_expiry_batches_expire_everything_once(services):
    subs = [await subscribe(services) for _ in range(5)]
    for sub in subs:
        await run(repo.earn, sub.id, f"{sub.id}:p-old", 60, T0)
    at = lot_expires_at(T0)
    seen: list[int] = []
    lots, points = await expire_all(at, batch=1, parallel=3, progress=seen.append)
    assert lots >= 5 and points >= 300 and sum(seen) >= 5
    for sub in subs:
        assert await check_consistent(sub.id) == 0
    assert await expire_all(at, batch=1, parallel=3) == (0, 0)
