"""Count what a request really does: SQL statements on the default connection and Redis round
trips on the hall's client (a pipeline counts as one). Wraps the real clients (nothing is faked); used by the statement-count
tests and `bench.graphql`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections

SQL_METHODS = (
    "execute_query",
    "execute_query_dict",
    "execute_insert",
    "execute_many",
    "execute_script",
)


@dataclass
class Counted:
    sql: list[str] = field(default_factory=list)
    redis: list[str] = field(default_factory=list)

    @property
    def selects(self) -> list[str]:
        return [s for s in self.sql if s.lstrip().upper().startswith("SELECT")]


@contextmanager
def counting(redis: Any) -> Iterator[Counted]:
    counted = Counted()
    client = connections.get("default")
    saved: dict[str, Any] = {}

    def wrap(name: str, original: Any) -> Any:
        async def counted_call(query: str, *args: Any, **kwargs: Any) -> Any:
            counted.sql.append(query)
            return await original(query, *args, **kwargs)

        return counted_call

    for name in SQL_METHODS:
        saved[name] = getattr(client, name)
        setattr(client, name, wrap(name, saved[name]))
    original_command = redis.execute_command

    async def redis_command(*args: Any, **kwargs: Any) -> Any:
        counted.redis.append(str(args[0]))
        return await original_command(*args, **kwargs)

    original_pipeline = redis.pipeline

    def counted_pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = original_pipeline(*args, **kwargs)
        original_execute = pipe.execute

        async def execute(*a: Any, **kw: Any) -> Any:  # one round trip, however many commands
            counted.redis.append(f"PIPELINE({len(pipe.command_stack)})")
            return await original_execute(*a, **kw)

        pipe.execute = execute
        return pipe

    redis.execute_command = redis_command
    redis.pipeline = counted_pipeline
    try:
        yield counted
    finally:
        for name, original in saved.items():
            setattr(client, name, original)
        redis.execute_command = original_command
        redis.pipeline = original_pipeline
