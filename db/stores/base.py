"""Every key carries the configured prefix, so tests and tenants never touch each other's keys."""

from __future__ import annotations

from redis.asyncio import Redis


class Store:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    def key(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)
