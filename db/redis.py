"""The Redis client: one Redis (a blocking pool waits for a free connection under load instead of
raising), the master of a Redis Sentinel group, or a Redis Cluster (redis-py's asyncio
`RedisCluster`).

Cluster is chosen by `TELEHALL_REDIS_CLUSTER=true` or a `redis+cluster://` (`rediss+cluster://`)
URL naming any node. Every multi-key script and MULTI of the stores keeps its keys in one slot
through a hash tag in its key names (see docs/deploy.md, "Redis Cluster").

Sentinel is chosen by a `redis+sentinel://[:password@]host:port[,host:port…]/master[/db]` URL
(the settings `TELEHALL_REDIS_SENTINELS` and `TELEHALL_REDIS_SENTINEL_MASTER` spell one): the
client asks the sentinels where the master is (redis-py's `Sentinel.master_for`) and follows a
failover without a restart (see `SentinelMasterPool`).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterPipeline, RedisCluster
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.exceptions import ConnectionError, TimeoutError

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
SENTINEL_SCHEME = "redis+sentinel"


def is_cluster_url(url: str) -> bool:
    return url.split("://", 1)[0] in CLUSTER_SCHEMES


def is_sentinel_url(url: str) -> bool:
    return url.split("://", 1)[0] == SENTINEL_SCHEME


@dataclass(frozen=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    master: str
    db: int = 0
    password: str | None = None

    @property
    def url(self) -> str:
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        hosts = ",".join(f"{host}:{port}" for host, port in self.sentinels)
        return f"{SENTINEL_SCHEME}://{auth}{hosts}/{self.master}/{self.db}"


def sentinel_addresses(spec: str) -> tuple[tuple[str, int], ...]:
    """`host:port,host:port` (the port defaults to Sentinel's 26379)."""
    found = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        host, _, port = part.rpartition(":") if ":" in part else (part, "", "26379")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"a sentinel is host:port, not {part!r}")
        found.append((host.strip("[]"), int(port)))
    if not found:
        raise ValueError("name at least one sentinel as host:port")
    return tuple(found)


def parse_sentinel_url(url: str) -> SentinelTarget:
    scheme, _, rest = url.partition("://")
    if scheme != SENTINEL_SCHEME:
        raise ValueError(f"not a {SENTINEL_SCHEME}:// URL")
    hosts, _, path = rest.partition("/")
    password = None
    if "@" in hosts:
        auth, _, hosts = hosts.rpartition("@")
        password = unquote(auth.partition(":")[2]) or None
    parts = [p for p in path.split("/") if p]
    if not parts or len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
        raise ValueError(f"a Sentinel URL ends in /<master name>[/<db>]: {SENTINEL_SCHEME}://…")
    db = int(parts[1]) if len(parts) == 2 else 0
    return SentinelTarget(sentinel_addresses(hosts), unquote(parts[0]), db, password)


def connect_redis(
    url: str, max_connections: int = 64, cluster: bool = False, sentinel_check_seconds: float = 1.0
) -> Any:
    if is_sentinel_url(url):
        return connect_sentinel_master(
            parse_sentinel_url(url), max_connections, sentinel_check_seconds
        )
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


def connect_sentinel_master(
    target: SentinelTarget, max_connections: int = 64, check_seconds: float = 1.0
) -> SentinelMaster:
    # a sentinel that does not answer in 2 s is skipped for the next; the master's connections
    # get no read timeout, as on a single Redis (XREAD and pub/sub block on purpose)
    sentinel = Sentinel(
        list(target.sentinels),
        sentinel_kwargs={"socket_connect_timeout": 2, "socket_timeout": 2},
    )
    return sentinel.master_for(
        target.master,
        redis_class=SentinelMaster,
        connection_pool_class=SentinelMasterPool,
        max_connections=max_connections,
        timeout=5,
        check_seconds=check_seconds,
        db=target.db,
        password=target.password,
        decode_responses=True,
        socket_connect_timeout=2,
    )


class SentinelMasterPool(SentinelConnectionPool, BlockingConnectionPool):
    """The master's connections, waiting for a free one under load like the single Redis's pool.

    redis-py asks the sentinels only when it opens a connection, and after a failover the old
    master keeps answering (and accepting writes that the promoted replica never sees) until
    the sentinels demote it, some ten seconds later. So the pool asks again at most every
    `check_seconds` when a command takes a connection; once the master has moved, idle
    connections are closed and busy ones are closed as they come back, and every command after
    that runs on the new master."""

    def __init__(self, service_name: str, sentinel_manager: Sentinel, **kwargs: Any) -> None:
        self.check_seconds = kwargs.pop("check_seconds", 1.0)
        super().__init__(service_name, sentinel_manager, **kwargs)
        self._checked_at: float | None = None

    async def get_connection(self, *args: Any, **kwargs: Any) -> AbstractConnection:
        now = asyncio.get_running_loop().time()
        if self._checked_at is None or now - self._checked_at >= self.check_seconds:
            self._checked_at = now
            # no sentinel answering is no reason to fail: the master we know may be fine
            with contextlib.suppress(ConnectionError, TimeoutError):
                await self.get_master_address()  # closes the idle connections when it moved
        return await super().get_connection(*args, **kwargs)

    async def release(self, connection: AbstractConnection) -> None:
        address = (getattr(connection, "host", None), getattr(connection, "port", None))
        if self.master_address is not None and address != self.master_address:
            await connection.disconnect()  # opened to the old master: reconnects on next use
        await super().release(connection)


class SentinelMaster(Redis):
    """The master's client; closing it closes the connections to the sentinels as well."""

    async def master_address(self) -> tuple[str, int]:
        return await self.connection_pool.get_master_address()

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose(close_connection_pool)
        await self.connection_pool.sentinel_manager.aclose()


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
