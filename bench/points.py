"""`make bench-points`: pointsRedeem through the HTTP API, and the year-end expiry at scale.

1. 1,000 subscribers with 20 lots each redeem a 100-point item through a real server (uvicorn
   in a subprocess on TELEHALL_BENCH_PORT, default 8102) at 16 connections: p50/p99 latency.
2. The year-end expiry over TELEHALL_BENCH_LOTS lots (default 1,000,000, i.e. 50,000 accounts x
   20 lots), in batches, while 4 clients keep redeeming: total time (target < 60 s), the longest
   batch (a redemption waits at most that long) and the redemptions' worst latency meanwhile.

On PostgreSQL when TELEHALL_BENCH_DATABASE_URL names a server (a fresh database is created and
dropped there), else SQLite in a temporary directory. Redis: TELEHALL_REDIS_URL, else embedded.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import time
from datetime import datetime, timedelta

import httpx

from bench import raw_http
from bench.raw_http import encode
from bench.stack import bench_stack, pct, serve, wait_ready

SUBSCRIBERS = 1_000
LOTS_EACH = 20
LOT_POINTS = 100
CONNECTIONS = 16
REQUESTS = 4_000
PORT = int(os.environ.get("TELEHALL_BENCH_PORT", "8102"))
TOTAL_LOTS = int(os.environ.get("TELEHALL_BENCH_LOTS", "1000000"))
REDEEM = """mutation($input: PointsRedeemInput!) { pointsRedeem(input: $input) {
  redemption { id pointsSpent } userErrors { code } } }"""
ADDRESS = {"name": "张三", "phone": "18600000001", "address": "北京市西城区金融大街21号"}


async def _populate(accounts: int, expires_at: datetime, earned_at: datetime) -> list[int]:
    from db.models.accounts import Subscriber
    from db.models.points import MallItem, PointsAccount, PointsLot

    await MallItem.create(
        id="BENCH-ITEM",
        name="基准测试商品",
        category="DIGITAL",
        kind="GOODS",
        points_price=LOT_POINTS,
        stock=10_000_000,
    )
    ids: list[int] = []
    chunk = 2_000
    for start in range(0, accounts, chunk):
        n = min(chunk, accounts - start)
        rows = [
            Subscriber(
                msisdn=f"139{start + i:08d}",
                joined_at=earned_at,
                puk="12345678",
                service_password_hash="x",
                balance_fen=10_000,
            )
            for i in range(n)
        ]
        await Subscriber.bulk_create(rows)
        made = await Subscriber.filter(msisdn__in=[r.msisdn for r in rows]).values_list(
            "id", flat=True
        )
        ids.extend(made)
        await PointsAccount.bulk_create(
            [PointsAccount(subscriber_id=s, balance=LOTS_EACH * LOT_POINTS) for s in made]
        )
        await PointsLot.bulk_create(
            [
                PointsLot(
                    subscriber_id=s,
                    year=earned_at.year,
                    amount=LOT_POINTS,
                    remaining=LOT_POINTS,
                    earned_at=earned_at + timedelta(days=j),
                    expires_at=expires_at,
                    source=f"BENCH:{s}:{j}",
                )
                for s in made
                for j in range(LOTS_EACH)
            ],
            batch_size=10_000,
        )
    return sorted(ids)


def _redeem(token: str) -> bytes:
    variables = {
        "input": {
            "itemId": "BENCH-ITEM",
            "quantity": 1,
            "idempotencyKey": secrets.token_hex(8),
            "shippingAddress": ADDRESS,
        }
    }
    return encode({"query": REDEEM, "variables": variables}, token)


async def _load(tokens, requests: int, workers: int, stop: asyncio.Event | None = None):
    """Latencies in seconds of `requests` redemptions (or until `stop`), and how many redeemed."""

    def sends():
        for i in range(requests):
            if stop is not None and stop.is_set():
                return
            yield None, _redeem(tokens[(i * 7) % len(tokens)])

    # beside the expiry (`stop` given) the collector keeps running: the expiry is what is timed
    _wall, latencies, answers = await raw_http.fire(PORT, sends(), workers, pause_gc=stop is None)
    oks = 0
    for _tag, status, body in answers:
        answer = json.loads(body)
        oks += status == 200 and bool(answer["data"]["pointsRedeem"]["redemption"])
    return [ms / 1000 for ms in latencies], oks


async def main() -> None:
    from db.models.points import PointsAccount, PointsLot
    from domain.calendar import end_of_year, local
    from domain.clock import SystemClock
    from domain.sessions import Scope
    from server.resources import build_services
    from server.settings import load_settings

    async with bench_stack("points", PORT, 20) as stack:
        kind = "PostgreSQL" if stack.postgres else "SQLite"
        print(f"database: {kind}; {TOTAL_LOTS:,} lots for the expiry, port {PORT}")
        server = None
        try:
            now = SystemClock().now()
            this_year = local(now).year
            expires_at = end_of_year(this_year)  # earned last year: expires at the end of this one
            earned_at = end_of_year(this_year - 2) + timedelta(days=1)
            started = time.perf_counter()
            accounts = max(TOTAL_LOTS // LOTS_EACH, SUBSCRIBERS)
            ids = await _populate(accounts, expires_at, earned_at)
            lots = await PointsLot.all().count()
            print(
                f"populated {len(ids):,} accounts, {lots:,} lots "
                f"in {time.perf_counter() - started:.1f} s"
            )
            services = build_services(load_settings(), stack.redis_url)
            tokens = [
                (await services.stores.sessions.create(Scope.FULL, sid, f"139{sid:08d}")).token
                for sid in ids[:SUBSCRIBERS]
            ]
            server = serve(stack.env)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}") as client:
                await wait_ready(client)
                await _load(tokens, 200, CONNECTIONS)  # warm-up
                started = time.perf_counter()
                latencies, oks = await _load(tokens, REQUESTS, CONNECTIONS)
                wall = time.perf_counter() - started
                print(
                    f"pointsRedeem x{REQUESTS} at {CONNECTIONS} connections: "
                    f"p50 {pct(latencies, 0.5):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms, "
                    f"{REQUESTS / wall:.0f} req/s, {oks} redeemed"
                )
                batches: list[float] = []
                last = [time.perf_counter()]

                def tick(_n: int) -> None:
                    t = time.perf_counter()
                    batches.append(t - last[0])
                    last[0] = t

                from resolvers.points.jobs import expire_points

                stop = asyncio.Event()
                during = asyncio.create_task(_load(tokens, 10**9, 4, stop))
                started = time.perf_counter()
                last[0] = started
                run = await expire_points(services, expires_at, tick)
                expiry_s = time.perf_counter() - started
                stop.set()
                meanwhile, _ = await during
                print(
                    f"year-end expiry: {run.lots_expired:,} lots, {run.points_expired:,} points in "
                    f"{expiry_s:.1f} s (target < 60 s); {len(batches)} batches, longest "
                    f"{max(batches):.2f} s; {len(meanwhile)} redemptions meanwhile, worst "
                    f"{max(meanwhile) * 1000:.0f} ms, p99 {pct(meanwhile, 0.99):.0f} ms"
                )
                again = time.perf_counter()
                second = await expire_points(services, expires_at)
                print(
                    f"second run: {second.lots_expired} lots in {time.perf_counter() - again:.1f} s"
                )
                cached = sum(await PointsAccount.all().values_list("balance", flat=True))
                remaining = sum(await PointsLot.all().values_list("remaining", flat=True))
                print(
                    f"cached balances {cached:,} = lots remaining {remaining:,}: "
                    f"{cached == remaining}"
                )
                print(f"median batch {statistics.median(batches):.2f} s")
            await services.stores.redis.aclose()
        finally:
            if server is not None:
                server.terminate()
                server.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
