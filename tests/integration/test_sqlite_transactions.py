"""The embedded database beside a second process: a transaction that reads before it writes
(as every order reads the subscriber's row first) still writes when the other process wrote
meanwhile; the other process waits for it instead of either failing."""

import asyncio
import importlib
import sqlite3

from tortoise.context import TortoiseContext

from db.config import connection_config


async def test_a_transaction_that_reads_first_writes_though_another_process_wrote_meanwhile(
    tmp_path,
):
    path = tmp_path / "hall.sqlite3"
    config = connection_config(f"sqlite://{path}", pool_max=1)
    assert isinstance(config, dict)
    engine = importlib.import_module(config["engine"])
    client = engine.client_class(connection_name="immediate", **config["credentials"])
    await client.create_connection(with_db=True)
    other = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    try:
        await client.execute_script("CREATE TABLE t (v INT)")
        async with TortoiseContext(), client._in_transaction() as conn:
            await conn.execute_query("SELECT COUNT(*) FROM t")
            # a second worker writes now: with DEFERRED it commits at once and the write below
            # fails "database is locked"; with IMMEDIATE it waits for this transaction
            writer = asyncio.ensure_future(
                asyncio.to_thread(other.execute, "INSERT INTO t VALUES (2)")
            )
            await asyncio.sleep(0.3)
            assert not writer.done()
            await conn.execute_query("INSERT INTO t VALUES (1)")
        await asyncio.wait_for(writer, 10)
        _, rows = await client.execute_query("SELECT v FROM t ORDER BY rowid")
        assert [r[0] for r in rows] == [1, 2]
    finally:
        other.close()
        await client.close()


async def test_writes_wait_for_another_process_lock_instead_of_failing(tmp_path):
    # the connection's own busy timeout is 0: the engine waits on the event loop in short steps
    path = tmp_path / "hall.sqlite3"
    config = connection_config(f"sqlite://{path}", pool_max=1)
    engine = importlib.import_module(config["engine"])
    client = engine.client_class(connection_name="patient", **config["credentials"])
    await client.create_connection(with_db=True)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    loop = asyncio.get_running_loop()
    try:
        await client.execute_script("CREATE TABLE t (v INT)")
        _, timeout = await client.execute_query("PRAGMA busy_timeout")
        assert timeout[0][0] == 0
        other.execute("BEGIN IMMEDIATE")
        loop.call_later(0.3, other.commit)
        started = loop.time()
        await client.execute_insert("INSERT INTO t VALUES (1)", [])
        assert loop.time() - started >= 0.25  # it waited for the other's commit
        other.execute("BEGIN IMMEDIATE")
        loop.call_later(0.3, other.commit)
        async with TortoiseContext(), client._in_transaction() as conn:
            await conn.execute_query("INSERT INTO t VALUES (2)")
        _, rows = await client.execute_query("SELECT v FROM t ORDER BY rowid")
        assert [r[0] for r in rows] == [1, 2]
    finally:
        other.close()
        await client.close()
