"""The embedded database's durability settings as SQLite itself reports them on a real file."""

import pytest
from tortoise.backends.sqlite.client import SqliteClient

from db.config import connection_config

WAL, NORMAL, FULL = "wal", 1, 2


async def pragmas(url: str) -> tuple[str, int]:
    config = connection_config(url, pool_max=1)
    assert isinstance(config, dict)
    client = SqliteClient(connection_name="pragmas", **config["credentials"])
    try:
        await client.create_connection(with_db=True)
        _, journal = await client.execute_query("PRAGMA journal_mode")
        _, synchronous = await client.execute_query("PRAGMA synchronous")
        return journal[0][0], synchronous[0][0]
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("query", "expected"), [("", (WAL, NORMAL)), ("?synchronous=FULL", (WAL, FULL))]
)
async def test_write_ahead_log_synced_at_checkpoints_unless_the_url_asks_for_more(
    tmp_path, query, expected
):
    assert await pragmas(f"sqlite://{tmp_path / 'hall.sqlite3'}{query}") == expected


def test_postgres_urls_are_not_given_sqlite_pragmas():
    config = connection_config("postgres://u@127.0.0.1:5432/test", pool_max=3)
    assert isinstance(config, dict) and "synchronous" not in config["credentials"]
