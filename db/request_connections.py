"""One PostgreSQL pool connection per GraphQL operation instead of one per statement.

Tortoise's asyncpg client takes a connection from the pool for every statement and gives it
back after (asyncpg then runs `reset_released`). Inside `one_connection()` (the GraphQL
operation, `server.request_connection`) the first statement takes a connection and keeps it
for the statements after it, until the operation ends:

- one statement at a time runs on it (asyncpg refuses two at once): statements of the same
  operation running concurrently (DataLoaders, sibling fields gathered) wait their turn;
- a transaction (`in_transaction`) takes its own pool connection as before, and first gives
  the idle kept one back to the pool, so an operation never waits for a pool connection while
  keeping one idle (saturated pools would deadlock);
- a statement that failed, was cancelled, or left a transaction open hands its connection back
  to the pool (whose reset rolls back) instead of keeping it;
- anything outside an operation (jobs, commands, subscriptions, a task that outlives its
  operation) takes one per statement, as Tortoise does.

This module is the Tortoise engine `db.config` names for PostgreSQL (`client_class`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from tortoise.backends.asyncpg.client import AsyncpgDBClient


class _Lease:
    __slots__ = ("connection", "lock", "open", "pool")

    def __init__(self) -> None:
        self.connection: Any = None
        self.pool: Any = None
        self.lock = asyncio.Lock()
        self.open = True

    async def give_back(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            await self.pool.release(connection)


_lease: ContextVar[_Lease | None] = ContextVar("telehall_db_lease", default=None)


@asynccontextmanager
async def one_connection() -> AsyncIterator[None]:
    """Statements run inside share one pool connection, taken at the first of them."""
    lease = _Lease()
    token = _lease.set(lease)
    try:
        yield
    finally:
        _lease.reset(token)
        lease.open = False
        async with lease.lock:  # a statement still running keeps it until it is done
            await lease.give_back()


class _Kept:
    """`acquire_connection()` inside an operation: the operation's connection, one statement
    at a time."""

    __slots__ = ("client", "lease")

    def __init__(self, client: RequestBoundClient, lease: _Lease) -> None:
        self.client, self.lease = client, lease

    async def __aenter__(self) -> Any:
        await self.client.ensure_pool()
        lease = self.lease
        await lease.lock.acquire()
        try:
            if lease.connection is None:
                lease.pool = self.client._pool
                lease.connection = await lease.pool.acquire()
        except BaseException:
            lease.lock.release()
            raise
        return lease.connection

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        lease = self.lease
        try:
            connection = lease.connection
            if exc_type is not None or not lease.open or connection.is_in_transaction():
                await lease.give_back()
        finally:
            lease.lock.release()


class _GiveBackFirst:
    """A transaction: the operation's idle connection goes back to the pool before the
    transaction takes one (usually the same) for itself."""

    __slots__ = ("context", "lease")

    def __init__(self, context: Any, lease: _Lease) -> None:
        self.context, self.lease = context, lease

    async def __aenter__(self) -> Any:
        if not self.lease.lock.locked():
            async with self.lease.lock:
                await self.lease.give_back()
        return await self.context.__aenter__()

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        return await self.context.__aexit__(exc_type, exc, tb)


class RequestBoundClient(AsyncpgDBClient):
    async def ensure_pool(self) -> None:
        if not self._pool:
            async with self._pool_init_lock:
                if not self._pool:
                    await self.create_connection(with_db=True)

    def acquire_connection(self) -> Any:
        lease = _lease.get()
        if lease is None or not lease.open:
            return super().acquire_connection()
        return _Kept(self, lease)

    def _in_transaction(self) -> Any:
        context = super()._in_transaction()
        lease = _lease.get()
        return context if lease is None else _GiveBackFirst(context, lease)


client_class = RequestBoundClient
