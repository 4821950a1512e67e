"""`make bench-fanout`: one campaign announced to TELEHALL_BENCH_SUBSCRIBERS (default 100,000)
subscribers who asked for its topic, fanned out by the `notify-fanout` job's code to completion.

Prints the subscribers considered, the notices created, the seconds and rows/s (target: 100,000
in under 60 s on PostgreSQL), and the p50/p99 of a stream of simple API reads (`me { balance }`
through a real server, uvicorn in a subprocess on TELEHALL_BENCH_PORT, default 8103) before and
while the fan-out runs, with the longest stall of this process's event loop during the run (a
worker running jobs in-process serves requests on that loop: the batches must yield).

On PostgreSQL when TELEHALL_BENCH_DATABASE_URL names a server (a fresh database is created and
dropped there), else SQLite in a temporary directory. Redis: TELEHALL_REDIS_URL, else embedded.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from datetime import timedelta

import httpx

from bench.stack import bench_stack, pct, serve, wait_ready

SUBSCRIBERS = int(os.environ.get("TELEHALL_BENCH_SUBSCRIBERS", "100000"))
PORT = int(os.environ.get("TELEHALL_BENCH_PORT", "8103"))
READERS = 4
SESSIONS = 200
CHUNK = 5_000
READ = "{ me { msisdn balance { amountFen } } }"


async def _populate(count: int, now, rng: random.Random) -> list[int]:
    """Subscribers (one in ten joined last week, so a campaign for existing subscribers skips
    them), each interested in DATA_PACKS (one in ten by SMS too) and one other topic; one in
    five has quiet hours of their own."""
    from db.models.accounts import Subscriber
    from db.models.engage import NotifyPreference, SubscriberInterest
    from domain.notify import Topic

    others = [t.value for t in Topic if t is not Topic.DATA_PACKS]
    ids: list[int] = []
    for start in range(0, count, CHUNK):
        n = min(CHUNK, count - start)
        rows = [
            Subscriber(
                msisdn=f"138{start + i:08d}",
                joined_at=now - timedelta(days=7 if (start + i) % 10 == 0 else 800),
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
        interests = []
        for s in made:
            interests.append(
                SubscriberInterest(
                    subscriber_id=s, topic=Topic.DATA_PACKS.value, sms=s % 10 == 0, app=True
                )
            )
            interests.append(SubscriberInterest(subscriber_id=s, topic=rng.choice(others)))
        await SubscriberInterest.bulk_create(interests, batch_size=CHUNK)
        await NotifyPreference.bulk_create(
            [
                NotifyPreference(subscriber_id=s, quiet_start_minute=0, quiet_end_minute=0)
                for s in made
                if s % 5 == 0
            ],
            batch_size=CHUNK,
        )
    return sorted(ids)


async def _read(client: httpx.AsyncClient, token: str) -> float:
    started = time.perf_counter()
    answer = await client.post(
        "/graphql", json={"query": READ}, headers={"authorization": f"Bearer {token}"}
    )
    elapsed = time.perf_counter() - started
    if answer.status_code != 200 or not answer.json()["data"]["me"]:
        raise RuntimeError(f"read failed: {answer.status_code} {answer.text[:200]}")
    return elapsed


async def _reads(client, tokens, stop: asyncio.Event, limit: int | None = None) -> list[float]:
    latencies: list[float] = []

    async def reader(r: int) -> None:
        i = r
        while not stop.is_set() and (limit is None or len(latencies) < limit):
            latencies.append(await _read(client, tokens[i % len(tokens)]))
            i += READERS

    await asyncio.gather(*(reader(r) for r in range(READERS)))
    return latencies


async def _loop_stalls(stop: asyncio.Event, every: float = 0.01) -> float:
    """The longest this process's event loop went without running a 10 ms ticker."""
    worst = 0.0
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(every)
        t = time.perf_counter()
        worst = max(worst, t - last - every)
        last = t
    return worst


async def main() -> None:
    from db.models.engage import InboxNotification, SubscriberInterest
    from domain.notify import Topic
    from domain.promotions.model import Audience, Segment
    from domain.sessions import Scope
    from resolvers.notify_fanout import announce, fan_out
    from server.resources import build_services
    from server.settings import load_settings

    async with bench_stack(
        "fanout", PORT, 10, TELEHALL_JOBS_IN_PROCESS="false", TELEHALL_LOG_LEVEL="warning"
    ) as stack:
        print(
            f"database: {'PostgreSQL' if stack.postgres else 'SQLite'}; {SUBSCRIBERS:,} subscribers"
        )
        server = None
        try:
            services = build_services(load_settings(), stack.redis_url)
            now = services.now()
            started = time.perf_counter()
            ids = await _populate(SUBSCRIBERS, now, random.Random(517))
            seeded = time.perf_counter() - started
            print(f"seeded {len(ids):,} subscribers with interests in {seeded:.1f} s")
            tokens = [
                (await services.stores.sessions.create(Scope.FULL, sid, f"138{sid:08d}")).token
                for sid in ids[1:SESSIONS]
            ]
            server = serve(stack.env)
            limits = httpx.Limits(max_connections=READERS, max_keepalive_connections=READERS)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{PORT}", limits=limits, timeout=30
            ) as client:
                await wait_ready(client)
                await _reads(client, tokens, asyncio.Event(), limit=200)  # warm-up
                quiet = asyncio.Event()
                idle_stalls = asyncio.create_task(_loop_stalls(quiet))
                idle = await _reads(client, tokens, asyncio.Event(), limit=2_000)
                quiet.set()
                idle_stall = await idle_stalls
                fan = await announce(
                    "CAMPAIGN:BENCH",
                    Topic.DATA_PACKS,
                    "周末流量包限时优惠",
                    "10GB周末流量包立减5元，老用户专享。",
                    now,
                    audience=Audience(segment=Segment.EXISTING),
                )
                assert fan is not None
                stop = asyncio.Event()
                reading = asyncio.create_task(_reads(client, tokens, stop))
                stalls = asyncio.create_task(_loop_stalls(stop))
                started = time.perf_counter()
                counts = await fan_out(services, now)
                seconds = time.perf_counter() - started
                stop.set()
                during, stall = await reading, await stalls
            considered = await SubscriberInterest.filter(topic=Topic.DATA_PACKS.value).count()
            created = await InboxNotification.filter(source="CAMPAIGN:BENCH").count()
            assert created == counts["notified"], (created, counts)
            print(
                f"fan-out: {considered:,} subscribers considered, "
                f"{created:,} notifications created "
                f"in {seconds:.1f} s ({considered / seconds:,.0f} rows/s considered, "
                f"{created / seconds:,.0f} created/s), {counts['batches']} batches "
                "(target < 60 s for 100,000 on PostgreSQL)"
            )
            print(
                f"API reads ({READERS} clients) before: p50 {pct(idle, 0.5):.1f} ms, "
                f"p99 {pct(idle, 0.99):.1f} ms; during the fan-out ({len(during)} reads): "
                f"p50 {pct(during, 0.5):.1f} ms, p99 {pct(during, 0.99):.1f} ms, "
                f"worst {max(during) * 1000:.0f} ms"
            )
            print(
                f"longest event-loop stall in the fan-out process: {stall * 1000:.0f} ms "
                f"(during the reads before it, with no fan-out: {idle_stall * 1000:.0f} ms)"
            )
            await services.stores.redis.aclose()
        finally:
            if server is not None:
                server.terminate()
                server.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
