"""Each GraphQL query or mutation runs its statements on one pool connection
(`db.request_connections`), given back when its execution ends, before the answer is written.
A subscription does not: it would keep a connection for as long as the client listens."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from db.request_connections import one_connection


class OneConnectionPerOperation(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        try:
            kind = self.execution_context.operation_type
        except RuntimeError:  # no such operation: the executor answers that, reading nothing
            kind = OperationType.SUBSCRIPTION
        if kind is OperationType.SUBSCRIPTION:
            yield
            return
        async with one_connection():
            yield
