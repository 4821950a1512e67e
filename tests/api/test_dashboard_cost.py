"""The hall's dashboard costs a bounded number of SQL statements and Redis round trips, and a page
of 100 costs the same as a page of 1: a regression here fails the build."""

from tests.cost_counters import counting

DASHBOARD = """query Dashboard($n: Int) { me { msisdn balance { amountFen }
  allowances { kind total used remaining } bills(last: 1) { cycle status totalFen }
  orders(first: $n) { edges { node { kind status } } } } }"""


async def dashboard_counts(api, services, token, n=10):
    me = api.as_(token)
    await me.data(DASHBOARD, n=n)  # warm: this cycle's buckets exist, caches filled
    with counting(services.stores.redis) as counted:
        data = await me.data(DASHBOARD, n=n)
    assert data["me"]["msisdn"]
    return counted


async def test_the_dashboard_reads_in_a_bounded_number_of_statements(api, services, subscriber):
    counted = await dashboard_counts(api, services, subscriber.token)
    assert [s for s in counted.sql if "1=0" in s.replace(" ", "")] == []
    # due plan changes, the subscriber, allowance buckets, bills, the orders page
    assert len(counted.sql) <= 5, counted.sql
    assert len(counted.redis) <= 2, counted.redis


async def test_a_page_of_100_costs_the_statements_of_a_page_of_1(api, services, subscriber):
    one = await dashboard_counts(api, services, subscriber.token, n=1)
    hundred = await dashboard_counts(api, services, subscriber.token, n=100)
    assert len(hundred.sql) == len(one.sql) and len(hundred.redis) == len(one.redis)


async def test_a_subscriber_with_history_reads_the_same(api, services):
    from datetime import timedelta

    from db.models.accounts import Subscriber
    from tests.conftest import subscribe
    from tests.hall_clock import now

    veteran = await subscribe(services)
    await Subscriber.filter(id=veteran.id).update(joined_at=now() - timedelta(days=100))
    counted = await dashboard_counts(api, services, veteran.token)
    assert [s for s in counted.sql if "1=0" in s.replace(" ", "")] == []
    assert len(counted.sql) <= 5, counted.sql


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
