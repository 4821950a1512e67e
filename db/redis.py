"""The Redis client: one Redis (a blocking pool waits for a free connection under load instead of
raising) or a Redis Cluster (redis-py's asyncio `RedisCluster`).

Cluster is chosen by `TELEHALL_REDIS_CLUSTER=true` or a `redis+cluster://` (`rediss+cluster://`)
URL naming any node. Every multi-key script and MULTI of the stores keeps its keys in one slot
through a hash tag in its key names (see docs/deploy.md, "Redis Cluster").
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterPipeline, RedisCluster

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


def is_cluster_url(url: str) -> bool:
    return url.split("://", 1)[0] in CLUSTER_SCHEMES


def connect_redis(url: str, max_connections: int = 64, cluster: bool = False) -> Any:
    if cluster or is_cluster_url(url):
        scheme, rest = url.split("://", 1)
        return WaitingRedisCluster.from_url(
            f"{CLUSTER_SCHEMES.get(scheme, scheme)}://{rest}",
            max_connections=max_connections,
            decode_responses=True,
        )
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=5,
        decode_responses=True,
        # a Redis that does not answer is an outage (503) within seconds, not a hung request
        socket_connect_timeout=2,
    )
    return Redis(connection_pool=pool)


class WaitingRedisCluster(RedisCluster):
    """redis-py's async cluster raises MaxConnectionsError when a node's connections are all
    busy; like the single Redis's blocking pool, this one makes the caller wait instead: at most
    `max_connections` commands (or pipelines) are in flight per process, so no node is asked for
    more connections than it holds."""

    def __init__(self, *args: Any, max_connections: int = 64, **kwargs: Any) -> None:
        super().__init__(*args, max_connections=max_connections, **kwargs)
        self._limit = max_connections
        self._slots: asyncio.Semaphore | None = None

    @property
    def in_flight(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._limit)
        return self._slots

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        async with self.in_flight:
            return await super().execute_command(*args, **kwargs)

    def pipeline(self, transaction: Any | None = None, shard_hint: Any | None = None) -> Any:
        if shard_hint:
            raise ValueError("shard_hint is not supported on a cluster")
        return _WaitingPipeline(self, transaction)


class _WaitingPipeline(ClusterPipeline):
    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        async with self.cluster_client.in_flight:  # type: ignore[attr-defined]
            return await super().execute(*args, **kwargs)
