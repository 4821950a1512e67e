"""The hall's dashboard costs at most 3 SQL statements and exactly 1 Redis round trip (the
session and the rate limit in one script), each `me` field a bounded number, and a page of 100
costs the same as a page of 1: a regression here fails the build. Run on SQLite and (with
TELEHALL_TEST_DATABASE_URL) PostgreSQL."""

import secrets
from datetime import timedelta

import pytest

from db.models.accounts import Subscriber
from tests.api.order_helpers import PACK_PURCHASE
from tests.conftest import subscribe
from tests.cost_counters import counting
from tests.hall_clock import now

DASHBOARD = """query Dashboard($n: Int) { me { msisdn balance { amountFen }
  allowances { kind total used remaining } bills(last: 1) { cycle status totalFen }
  orders(first: $n) { edges { node { kind status } } } } }"""
DEMO = "18600000001"  # seeded with six months of bills, usage and recharges


async def counts(api, services, token, query=DASHBOARD, **variables):
    me = api.as_(token)
    await me.data(query, **variables)  # warm: this cycle's buckets exist, scripts loaded
    with counting(services.stores.redis) as counted:
        data = await me.data(query, **variables)
    assert data["me"] is not None
    return counted


@pytest.fixture
async def demo_token(services):
    from domain.sessions import Scope

    demo = await Subscriber.get(msisdn=DEMO)
    return (await services.stores.sessions.create(Scope.FULL, demo.id, demo.msisdn)).token


async def test_the_dashboard_reads_in_3_statements_and_1_redis_call(api, services, subscriber):
    counted = await counts(api, services, subscriber.token, n=10)
    assert [s for s in counted.sql if "1=0" in s.replace(" ", "")] == []
    assert len(counted.sql) <= 3, counted.sql
    assert counted.redis == ["EVALSHA"]


async def test_the_demo_dashboard_with_bills_and_orders(api, services, demo_token):
    """Issued bills and a history of orders: the caller with its buckets, the bill, the page."""
    counted = await counts(api, services, demo_token, n=10)
    assert len(counted.sql) == 3, counted.sql
    assert counted.redis == ["EVALSHA"]


async def test_a_subscriber_with_history_reads_the_same(api, services):
    veteran = await subscribe(services)
    await Subscriber.filter(id=veteran.id).update(joined_at=now() - timedelta(days=100))
    counted = await counts(api, services, veteran.token, n=10)
    assert [s for s in counted.sql if "1=0" in s.replace(" ", "")] == []
    assert len(counted.sql) <= 3, counted.sql
    assert counted.redis == ["EVALSHA"]


@pytest.mark.parametrize(
    ("fields", "statements"),
    [
        ("msisdn", 1),  # the row and whether a plan change fell due: one statement
        ("balance { amountFen creditLimitFen }", 1),
        ("allowances { kind total used remaining }", 1),  # buckets joined to the row
        ("bills(last: 1) { cycle status totalFen }", 2),
        ("bills(last: 3) { cycle status totalFen items { name amountFen } }", 3),
        ("orders(first: 10) { edges { node { kind status } } }", 2),
        ("... on Subscriber { allowances { kind } }", 1),  # looked into fragments too
        ("points { balance expiring { amount expiresAt } }", 2),  # one grouped statement
    ],
)
async def test_each_me_field_has_its_bound(api, services, demo_token, fields, statements):
    counted = await counts(api, services, demo_token, "{ me { " + fields + " } }")
    assert len(counted.sql) == statements, counted.sql
    assert counted.redis == ["EVALSHA"]


@pytest.mark.parametrize(
    ("connection", "statements"),
    [
        ("orders(first: $n) { edges { node { kind status summary } } }", 2),
        ("recharges(first: $n) { edges { node { amountFen status } } }", 2),
        ("usageRecords(first: $n) { edges { node { kind } } }", 2),
        # the Points object reads the balance and its expiry ladder before the page
        ("points { transactions(first: $n) { edges { node { amount kind } } } }", 3),
    ],
)
async def test_a_page_of_100_costs_the_statements_of_a_page_of_1(
    api, services, demo_token, connection, statements
):
    query = "query Page($n: Int!) { me { " + connection + " } }"
    one = await counts(api, services, demo_token, query, n=1)
    hundred = await counts(api, services, demo_token, query, n=100)
    assert len(hundred.sql) == len(one.sql), hundred.sql
    assert len(one.sql) == statements, one.sql
    assert hundred.redis == one.redis == ["EVALSHA"]


@pytest.mark.calendar
async def test_pending_points_spend_costs_its_open_cycles_only(api, services, demo_token):
    """Only when asked for: the open cycles' bills in one statement, then the lines (plan,
    packs, usage, fee discount: 5 statements) of each cycle that has no bill yet."""
    from db.models.billing import Bill
    from domain.billing import BillStatus, cycle_status, previous_cycles
    from domain.calendar import cycle_of

    demo = await Subscriber.get(msisdn=DEMO)
    at = now()
    open_cycles = [
        c
        for c in (cycle_of(at), *previous_cycles(at, 1))
        if cycle_status(c, at, issued=False) is not BillStatus.ISSUED
    ]
    billed = await Bill.filter(subscriber_id=demo.id, cycle__in=open_cycles).count()
    query = "{ me { points { balance pendingFen transactions(first: 100) { nodes { amount } } } } }"
    counted = await counts(api, services, demo_token, query)
    assert len(counted.sql) == 4 + 5 * (len(open_cycles) - billed), counted.sql
    assert counted.redis == ["EVALSHA"]


@pytest.mark.parametrize(
    ("node", "json_columns"),
    [
        ("kind status createdAt", set()),
        ("... on Order { summary channel }", {"details"}),
        ("pricing { listPriceFen }", {"pricing"}),
        ("summary pricing { listPriceFen }", {"details", "pricing"}),
    ],
)
async def test_the_orders_page_reads_the_json_columns_only_when_selected(
    api, services, demo_token, node, json_columns
):
    for shape in ("edges { node { " + node + " } }", "nodes { " + node + " }"):
        counted = await counts(
            api, services, demo_token, "{ me { orders(first: 10) { " + shape + " } } }"
        )
        page = [s for s in counted.sql if 'FROM "order"' in s and "LIMIT" in s][-1]
        assert {c for c in ("details", "pricing") if f'"{c}"' in page} == json_columns, page


async def test_a_plan_change_that_fell_due_is_applied_on_the_way(api, services, clock):
    """The subquery that spares the usual request a round trip still sees a due change."""
    from db.models.orders import Order
    from domain.orders import OrderKind, OrderStatus

    sub = await subscribe(services, plan_id="4G-136")
    mine = api.as_(sub.token)
    await mine.data("{ me { allowances { kind } } }")  # buckets exist: the joined statement
    await Order.create(
        subscriber_id=sub.id,
        kind=OrderKind.PLAN_CHANGE,
        status=OrderStatus.SCHEDULED,
        effective_from=now() - timedelta(minutes=1),
        details={"v": 1, "plan_id": "4G-76"},
        list_price_fen=0,
        final_price_fen=0,
        idempotency_key=f"due-{sub.id}",
    )
    data = await mine.data("{ me { plan { id } allowances { kind } } }")
    assert data["me"]["plan"]["id"] == "4G-76"
    assert (await Order.get(idempotency_key=f"due-{sub.id}")).status is OrderStatus.COMPLETED


async def test_postgres_statements_skip_the_pool_reset_round_trip(services, postgres_only):
    from tortoise import connections

    from db.config import reset_released

    client = connections.get("default")
    await client.execute_query("SELECT 1")
    assert client._pool._reset is reset_released  # not asyncpg's 4-statement reset
    async with client._pool.acquire() as raw:
        await raw.execute("BEGIN")
        assert raw.is_in_transaction()
        await reset_released(raw)  # released mid-transaction: rolled back, never leaked
        assert not raw.is_in_transaction()


async def test_postgres_an_operation_takes_one_pool_connection(
    api, services, demo_token, postgres_only
):
    """The dashboard's statements (its sibling fields resolved concurrently) share one pool
    connection, given back when the operation ends; a mutation's transaction takes its own."""
    from tortoise import connections

    client = connections.get("default")
    await client.execute_query("SELECT 1")
    pool = client._pool
    me = api.as_(demo_token)
    await me.data(DASHBOARD, n=10)
    taken: list[int] = []

    class Counting:  # asyncpg's Pool has slots: count through a stand-in
        def acquire(self, *args, **kwargs):
            taken.append(1)
            return pool.acquire(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(pool, name)

    client._pool = Counting()
    try:
        with counting(services.stores.redis) as counted:
            await me.data(DASHBOARD, n=10)
        assert len(counted.sql) == 3 and len(taken) == 1
        assert pool.get_idle_size() == pool.get_size()  # given back
        taken.clear()
        buyer = api.as_((await subscribe(services, balance_fen=10_000)).token)
        bought = await buyer.data(PACK_PURCHASE, pack="ADD-7D-1G", key=secrets.token_hex(8))
        assert bought["packPurchase"]["userErrors"] == [], bought
        assert len(taken) >= 2  # the reads before it, and the transaction's own
        assert pool.get_idle_size() == pool.get_size()
    finally:
        client._pool = pool
