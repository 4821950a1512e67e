"""Number search on a 1,000,000-number pool: p50/p95 through the GraphQL API (in-process ASGI)
against a linear regex scan of the same numbers in Python, and the seed time.

Run with `make bench-numbers` (or `python -m bench.numbers [COUNT]`). The pool lives in its own
SQLite file under `.data/bench-numbers/` (TELEHALL_DATABASE_URL overrides it) and is stocked on
first run; targets: p95 <= 20 ms, >= 100x the scan, seed <= 60 s.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

import httpx

DATA = Path(".data/bench-numbers")
RUNS = 200
WARMUP = 20
SEARCH = """query($input: NumberSearchInput!) {
  numberSearch(input: $input, first: 20) { nodes { msisdn tier tags prestoreFen region { city } } }
}"""


def _mmdd(s: str) -> bool:
    m = re.search(r"(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$", s)
    return (
        bool(m)
        and not (m[1] in ("04", "06", "09", "11") and m[2] == "31")
        and s[-4:] not in ("0230", "0231")
    )


CASES = [
    ("endsWith 8888", {"endsWith": "8888"}, lambda n, p: re.search(r"8888$", n)),
    ("tags [AABB]", {"tags": ["AABB"]}, lambda n, p: re.search(r"(\d)\1(?!\1)(\d)\2$", n)),
    (
        "excludeDigits [4] + province 广东",
        {"excludeDigits": [4], "province": "广东"},
        lambda n, p: p == "广东" and re.fullmatch(r"\d{3}[0-35-9]{8}", n),
    ),
    ("contains 520", {"contains": "520"}, lambda n, p: re.search(r"520", n)),
    (
        "contains 5201314 (the substring index)",
        {"contains": "5201314"},
        lambda n, p: "5201314" in n,
    ),
    (
        "tags [BIRTHDAY_MMDD] + endsWith 0517",
        {"tags": ["BIRTHDAY_MMDD"], "endsWith": "0517"},
        lambda n, p: re.search(r"0517$", n) and _mmdd(n),
    ),
]


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(count: int) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TELEHALL_DATABASE_URL", f"sqlite://{DATA / 'pool.sqlite3'}")
    os.environ["TELEHALL_DATA_DIR"] = str(DATA)
    os.environ["TELEHALL_RATE_LIMIT_BUCKET_POINTS"] = "1000000000"
    os.environ["TELEHALL_RATE_LIMIT_POINTS_PER_SECOND"] = "100000000"
    os.environ.setdefault("TELEHALL_REDIS_PREFIX", "bench-numbers:")

    from tortoise import connections

    from db.lifecycle import apply_migrations, close_database, open_database
    from db.models.numbers import PhoneNumber
    from db.seed.numbers import seed_numbers
    from server.app import create_app
    from server.embedded_redis import EmbeddedRedis
    from server.logs import configure_logging
    from server.resources import build_services, make_clock
    from server.settings import load_settings

    settings = load_settings()
    url = settings.resolved_database_url
    await apply_migrations(url)
    await open_database(url, 4)
    embedded = None
    redis_url = settings.redis_url
    if not redis_url:
        embedded = EmbeddedRedis(DATA / "redis")
        redis_url = embedded.start()
    try:
        stocked = await PhoneNumber.all().count()
        if stocked < count:
            started = time.perf_counter()
            await seed_numbers(count)
            print(f"seed: {count:,} numbers in {time.perf_counter() - started:.1f} s")
        else:
            print(f"seed: pool already holds {stocked:,} numbers (delete {DATA} to time the seed)")
        await connections.get("default").execute_script("ANALYZE")
        rows = await PhoneNumber.all().values_list("msisdn", "province")
        services = build_services(settings, redis_url, make_clock(settings))
        configure_logging("warning", json=True)  # one request line per query would drown the table
        app = create_app(settings, services)
        transport = httpx.ASGITransport(app=app)
        print(f"pool: {len(rows):,} numbers; {RUNS} requests per query after {WARMUP} warm-up")
        print(
            f"{'query':40} {'hits':>5} {'p50 ms':>8} {'p95 ms':>8} {'scan ms':>9} {'speed-up':>9}"
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for label, filters, scan in CASES:
                samples = []
                for i in range(WARMUP + RUNS):
                    t = time.perf_counter()
                    response = await client.post(
                        "/graphql", json={"query": SEARCH, "variables": {"input": filters}}
                    )
                    elapsed = time.perf_counter() - t
                    body = response.json()
                    assert "errors" not in body, body
                    if i >= WARMUP:
                        samples.append(elapsed * 1000)
                hits = len(body["data"]["numberSearch"]["nodes"])
                scans = []
                for _ in range(3):
                    t = time.perf_counter()
                    found = [n for n, p in rows if scan(n, p)]
                    scans.append((time.perf_counter() - t) * 1000)
                scan_ms = statistics.median(scans)
                p50, p95 = _pct(samples, 0.5), _pct(samples, 0.95)
                print(
                    f"{label:40} {hits:>5} {p50:>8.2f} {p95:>8.2f} {scan_ms:>9.1f} "
                    f"{scan_ms / p50:>8.0f}x   (scan found {len(found):,})"
                )
        await services.stores.redis.aclose()
    finally:
        await close_database()
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
