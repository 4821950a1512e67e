"""The Tortoise engine `db.config` names for SQLite: transactions begin IMMEDIATE, and a busy
database is waited for on the event loop in short steps.

Tortoise begins SQLite transactions DEFERRED: the transaction reads first and takes the write
lock at its first write. When another process (a second worker, the job runner, a CLI command)
committed in between, that upgrade cannot wait: SQLite answers "database is locked" at once,
whatever the busy timeout, because the transaction's snapshot is stale. The hall's transactions
read before they write (the subscriber's row first, as every order does), so two processes on
one SQLite file failed each other (the year-end points expiry beside redemptions, in
`make bench-points`). BEGIN IMMEDIATE takes the write lock first; readers outside a
transaction are not held up (WAL).

Waiting: SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms
between tries, so a writer usually slept long after the lock it waited for was free (the flash
storm's wins, two workers on one file). The connection's busy timeout is 0 instead, and a busy
answer is tried again after 0.2 ms, doubling to at most 5 ms, for up to 5 s (sqlite3's default
timeout). Only statements outside a transaction and BEGIN wait: inside one the write lock is
held already. A statement SQLite answered busy did not run, so trying it again is safe."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import OperationalError, TransactionManagementError

T = TypeVar("T")
PATIENCE_SECONDS = 5.0
WAIT_MS = int(PATIENCE_SECONDS * 1000)
FIRST_PAUSE, LONGEST_PAUSE = 0.0002, 0.005
SQLITE_BUSY = 5


def _busy(exc: BaseException) -> bool:
    """SQLITE_BUSY or one of its extended codes, raised by sqlite3 or wrapped by Tortoise."""
    cause = exc.args[0] if isinstance(exc, OperationalError) and exc.args else exc
    code = getattr(cause, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == SQLITE_BUSY


async def patiently(attempt: Callable[[], Awaitable[T]]) -> T:
    """`attempt()`, tried again while SQLite answers busy (another process holds the lock)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE_SECONDS
    pause = FIRST_PAUSE
    while True:
        try:
            return await attempt()
        except (sqlite3.OperationalError, OperationalError) as exc:
            if not _busy(exc) or loop.time() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await patiently(lambda: self._connection.execute("BEGIN IMMEDIATE"))
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self.pragmas["busy_timeout"] = 0  # waited for by `patiently`, on the event loop

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_ImmediateTransaction(self), self._lock)

    async def execute_insert(self, query: str, values: list) -> int:
        return await patiently(partial(SqliteClient.execute_insert, self, query, values))

    async def execute_many(self, query: str, values: list[list]) -> None:
        return await patiently(partial(SqliteClient.execute_many, self, query, values))

    async def execute_query(self, query: str, values: list | None = None) -> Any:
        return await patiently(partial(SqliteClient.execute_query, self, query, values))

    async def execute_query_dict(self, query: str, values: list | None = None) -> list[dict]:
        return await patiently(partial(SqliteClient.execute_query_dict, self, query, values))

    async def execute_script(self, query: str) -> None:
        # a script is not tried again (its first statements may have committed): it waits in
        # SQLite's own busy handler, as before
        await SqliteClient.execute_query(self, f"PRAGMA busy_timeout = {WAIT_MS}")
        try:
            await SqliteClient.execute_script(self, query)
        finally:
            await SqliteClient.execute_query(self, "PRAGMA busy_timeout = 0")


client_class = ImmediateSqliteClient
