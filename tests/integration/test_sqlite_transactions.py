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
