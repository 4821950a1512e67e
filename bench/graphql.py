"""`make bench-graphql`: what the GraphQL layer costs beside the reads it makes.

One worker (a subprocess, served as `telehall serve` serves), N keep-alive connections from
this process's bare client (bench/raw_http.py), one run:
(a) a bare Starlette route making the dashboard's reads through the same data layer,
(b) the dashboard through GraphQL, (c) `{ __typename }`, (d) a bare Starlette JSON route with
no reads. Prints req/s, p50, p99 and the server's CPU per request for each, then the ratios
b/a, b/c, c/d, the SQL statements and Redis calls per dashboard (counted in-process through the
same app), p99 of (b) at 8 connections, the worker's peak RSS, and (b) with `--workers 2`.

Not a timed test: the machine is shared, so read the ratios of one run, not absolute figures.
PostgreSQL when TELEHALL_BENCH_DATABASE_URL names a server (a fresh database is created),
else SQLite in a temporary directory. Redis: TELEHALL_REDIS_URL, else embedded.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from bench import raw_http
from bench.raw_http import encode

PORT = int(os.environ.get("TELEHALL_BENCH_PORT", "8103"))
CONNECTIONS = int(os.environ.get("TELEHALL_BENCH_CONNECTIONS", "32"))
REQUESTS = int(os.environ.get("TELEHALL_BENCH_REQUESTS", "4000"))
DASHBOARD = """query Dashboard { me { msisdn balance { amountFen }
  allowances { kind total used remaining } bills(last: 1) { cycle status totalFen }
  orders(first: 10) { edges { node { kind status } } } } }"""
TICKS = os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [server.pid, *kids]


async def _fresh_database(tmp: Path) -> str:
    admin_url = os.environ.get("TELEHALL_BENCH_DATABASE_URL")
    if not admin_url:
        return f"sqlite://{tmp / 'bench.sqlite3'}"
    import asyncpg

    name = f"telehall_bench_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def serve(env: dict[str, str], workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.graphql_app", str(PORT), str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/bench/none")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the server did not start")


async def load(request: bytes, requests: int, connections: int) -> tuple[list[float], float]:
    """Latencies in seconds and the wall time of `requests` sends of `request`."""
    wall, latencies, answers = await raw_http.fire(PORT, [(None, request)] * requests, connections)
    bad = [body for _tag, status, body in answers if status != 200]
    assert not bad, bad[0][:200]
    return [ms / 1000 for ms in latencies], wall


def cases(token: str) -> dict[str, bytes]:
    return {
        "a bare route, same reads": encode(None, token, "GET", "/bench/reads"),
        "b dashboard (GraphQL)": encode({"query": DASHBOARD}, token),
        "c { __typename }": encode({"query": "{ __typename }"}),
        "d bare JSON route": encode(None, None, "GET", "/bench/none"),
    }


async def measure(server, name, request, requests, connections) -> dict[str, float]:
    await load(request, max(50, requests // 10), connections)  # warm
    pids = worker_pids(server)
    cpu_before = cpu_seconds(pids)
    latencies, wall = await load(request, requests, connections)
    cpu = cpu_seconds(pids) - cpu_before
    row = {
        "rps": requests / wall,
        "p50": pct(latencies, 0.5),
        "p99": pct(latencies, 0.99),
        "cpu_ms": cpu * 1000 / requests,
    }
    print(
        f"{name:28} {row['rps']:8.0f} req/s  p50 {row['p50']:6.1f} ms  p99 {row['p99']:6.1f} ms"
        f"  server CPU {row['cpu_ms']:5.2f} ms/req"
    )
    return row


async def counts(db_url: str, redis_url: str, token: str) -> tuple[int, int, int]:
    """SQL statements and Redis calls of one dashboard, counted in this process on the same app."""
    from server.app import create_app
    from server.resources import build_services
    from server.settings import load_settings
    from tests.cost_counters import counting

    settings = load_settings()
    services = build_services(settings, redis_url)
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        auth = {"authorization": f"Bearer {token}"}

        async def send():
            return await client.post("/graphql", json={"query": DASHBOARD}, headers=auth)

        await send()
        with counting(services.stores.redis) as counted:
            answer = await send()
            assert answer.status_code == 200 and not answer.json().get("errors"), answer.text
    await services.stores.redis.aclose()
    cost = answer.json()["extensions"]["cost"]["requestedQueryCost"]
    return len(counted.sql), len(counted.redis), cost


async def main() -> None:
    if raw_http.port_in_use(PORT):
        raise SystemExit(f"port {PORT} is in use: set TELEHALL_BENCH_PORT to a free port")
    from db.lifecycle import apply_migrations, close_database, open_database
    from db.seed.demo import seed_demo
    from domain.clock import SystemClock
    from domain.sessions import Scope
    from server.embedded_redis import EmbeddedRedis
    from server.resources import build_services
    from server.settings import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="telehall-bench-graphql-"))
    db_url = await _fresh_database(tmp)
    embedded = None
    redis_url = os.environ.get("TELEHALL_REDIS_URL")
    if not redis_url:
        embedded = EmbeddedRedis(tmp / "redis")
        redis_url = embedded.start()
    env = {
        **os.environ,
        "TELEHALL_DATABASE_URL": db_url,
        "TELEHALL_REDIS_URL": redis_url,
        "TELEHALL_REDIS_PREFIX": f"bench-graphql-{secrets.token_hex(3)}:",
        "TELEHALL_DATA_DIR": str(tmp),
        "TELEHALL_ENV": "test",
        "TELEHALL_RATE_LIMIT_BUCKET_POINTS": "1000000000",
        "TELEHALL_RATE_LIMIT_POINTS_PER_SECOND": "100000000",
        "TELEHALL_ARGON2_TIME_COST": "1",
        "TELEHALL_ARGON2_MEMORY_KIB": "64",
    }
    os.environ.update(env)
    kind = "PostgreSQL" if db_url.startswith("postgres") else "SQLite"
    print(f"database: {kind}; {CONNECTIONS} connections, {REQUESTS} requests per case")
    await apply_migrations(db_url)
    await open_database(db_url, 8)
    servers: list[subprocess.Popen] = []
    try:
        settings = load_settings()
        services = build_services(settings, redis_url)
        await seed_demo(services.hasher, SystemClock().now())
        from db.models.accounts import Subscriber

        demo = await Subscriber.get(msisdn="18600000001")
        token = (await services.stores.sessions.create(Scope.FULL, demo.id, demo.msisdn)).token
        sql, redis_calls, cost = await counts(db_url, redis_url, token)

        rows: dict[str, dict[str, float]] = {}
        base = f"http://127.0.0.1:{PORT}"
        dashboard = cases(token)["b dashboard (GraphQL)"]
        server = serve(env, 1)
        servers.append(server)
        async with httpx.AsyncClient(base_url=base) as client:
            await wait_ready(client)
        for name, request in cases(token).items():
            rows[name[0]] = await measure(server, name, request, REQUESTS, CONNECTIONS)
        eight = await measure(server, "b dashboard, 8 connections", dashboard, REQUESTS // 2, 8)
        rss = max(peak_rss_mb(p) for p in worker_pids(server))
        server.terminate()
        server.wait(10)
        server = serve(env, 2)
        servers.append(server)
        async with httpx.AsyncClient(base_url=base) as client:
            await wait_ready(client)
            await asyncio.sleep(1.0)  # both workers up
        two = await measure(server, "b dashboard, --workers 2", dashboard, REQUESTS, CONNECTIONS)
        a, b, c, d = (rows[k]["rps"] for k in "abcd")
        print(
            f"ratios (throughput): b/a {b / a:.2f} (target >= 0.85), b/c {b / c:.2f} "
            f"(>= 0.25), c/d {c / d:.2f} (>= 0.35)"
        )
        print(
            f"CPU per request: b/a {rows['b']['cpu_ms'] / rows['a']['cpu_ms']:.2f}x, "
            f"c {rows['c']['cpu_ms']:.2f} ms, d {rows['d']['cpu_ms']:.2f} ms"
        )
        print(
            f"per dashboard: {sql} SQL statements (target <= 3), {redis_calls} Redis calls (<= 1), "
            f"cost {cost} points"
        )
        print(f"p99 of (b) at 8 connections: {eight['p99']:.1f} ms (target <= 20 ms, idle machine)")
        print(f"peak RSS per worker: {rss:.0f} MB (target <= 200 MB)")
        print(
            f"--workers 2 / 1 on (b): {two['rps'] / b:.2f}x (target >= 1.8; this machine has "
            f"{os.cpu_count()} cores shared with the load generator)"
        )
    finally:
        for server in servers:
            if server.poll() is None:
                server.terminate()
                server.wait(10)
        await close_database()
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    asyncio.run(main())
