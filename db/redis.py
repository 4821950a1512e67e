"""The Redis client. A blocking pool waits for a free connection under load instead of raising."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis


def connect_redis(url: str, max_connections: int = 64) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=5,
        decode_responses=True,
        # a Redis that does not answer is an outage (503) within seconds, not a hung request
        socket_connect_timeout=2,
    )
    return Redis(connection_pool=pool)
