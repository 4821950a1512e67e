"""The Tortoise engine `db.config` names for SQLite: transactions begin IMMEDIATE.

Tortoise begins SQLite transactions DEFERRED: the transaction reads first and takes the write
lock at its first write. When another process (a second worker, the job runner, a CLI command)
committed in between, that upgrade cannot wait: SQLite answers "database is locked" at once,
whatever the busy timeout, because the transaction's snapshot is stale. The hall's transactions
read before they write (the subscriber's row first, as every order does), so two processes on
one SQLite file failed each other (the year-end points expiry beside redemptions, in
`make bench-points`). BEGIN IMMEDIATE takes the write lock first, waiting for it within the busy
timeout; readers outside a transaction are not held up (WAL)."""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_ImmediateTransaction(self), self._lock)


client_class = ImmediateSqliteClient
