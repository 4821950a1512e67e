"""The Redis client. A blocking pool waits for a free connection under load instead of raising."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis


def connect_redis(url: str, max_connections: int = 64) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=5, decode_responses=True
    )
    return Redis(connection_pool=pool)
