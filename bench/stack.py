"""What the benchmarks that serve a real hall share: a fresh database (PostgreSQL when
TELEHALL_BENCH_DATABASE_URL names a server, created and dropped there, else SQLite in a temporary
directory), migrated and opened in this process; Redis (TELEHALL_REDIS_URL, else embedded); the
settings a served worker gets (no rate limit: the bench is the only client); the server process."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx


def pct(values: list[float], p: float) -> float:
    """The p-quantile of seconds, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


@dataclass(frozen=True)
class Stack:
    env: dict[str, str]
    database_url: str
    redis_url: str
    postgres: bool


@asynccontextmanager
async def bench_stack(name: str, port: int, pool_max: int, **extra: str) -> AsyncIterator[Stack]:
    from db.lifecycle import apply_migrations, close_database, open_database
    from server.embedded_redis import EmbeddedRedis

    tmp = Path(tempfile.mkdtemp(prefix="telehall-bench-"))
    admin_url, admin, db_name = os.environ.get("TELEHALL_BENCH_DATABASE_URL"), None, ""
    if admin_url:
        import asyncpg

        db_name = f"telehall_bench_{secrets.token_hex(3)}"
        admin = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
        await admin.execute(f'CREATE DATABASE "{db_name}"')
        db_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{db_name}"))
    else:
        db_url = f"sqlite://{tmp / 'bench.sqlite3'}"
    embedded = None
    redis_url = os.environ.get("TELEHALL_REDIS_URL")
    if not redis_url:
        embedded = EmbeddedRedis(tmp / "redis")
        redis_url = embedded.start()
    env = {
        **os.environ,
        "TELEHALL_DATABASE_URL": db_url,
        "TELEHALL_REDIS_URL": redis_url,
        "TELEHALL_REDIS_PREFIX": f"bench-{name}-{secrets.token_hex(3)}:",
        "TELEHALL_DATA_DIR": str(tmp),
        "TELEHALL_PORT": str(port),
        "TELEHALL_ENV": "test",
        "TELEHALL_RATE_LIMIT_BUCKET_POINTS": "1000000000",
        "TELEHALL_RATE_LIMIT_POINTS_PER_SECOND": "100000000",
        "TELEHALL_DB_POOL_MAX": str(pool_max),
        **extra,
    }
    os.environ.update(env)
    try:
        await apply_migrations(db_url)
        await open_database(db_url, 8)
        yield Stack(env, db_url, redis_url, admin is not None)
    finally:
        await close_database()
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            await admin.close()
        if embedded is not None:
            embedded.stop()


def serve(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "server", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(200):
        try:
            if (await client.post("/graphql", json={"query": "{ __typename }"})).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the server did not start")
