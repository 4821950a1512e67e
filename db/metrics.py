"""Prometheus instruments of the hall, and the small functions that count into them.

They live in the lowest layer that may hold an I/O library, so resolvers, stores and the job
runner can count (`resolvers → db`), while `/metrics` itself is served by `server/metrics.py`.

With several worker processes (uvicorn `--workers N`) set `PROMETHEUS_MULTIPROC_DIR` to an empty
directory shared by the workers: prometheus-client then keeps every value in a memory-mapped file
per process and `/metrics` sums them (`server/metrics.py`); per-process pool use sums over the
live workers. Values every worker reads alike (flash-sale stock and reservations, the outbox
backlog) are not instruments here: `server/metrics.py` reads them at scrape time.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Latency buckets for a GraphQL operation: most answer in milliseconds, a slow one in seconds.
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "telehall_graphql_requests",
    "GraphQL operations executed, by operation name and type",
    ["operation", "type"],
)
LATENCY = Histogram(
    "telehall_graphql_duration_seconds",
    "GraphQL operation latency, by operation name",
    ["operation"],
    buckets=_LATENCY,
)
ERRORS = Counter(
    "telehall_errors",
    "Errors answered, by code: userErrors (kind=user) and GraphQL errors (kind=graphql)",
    ["code", "kind"],
)
HTTP_REQUESTS = Counter(
    "telehall_http_requests",
    "HTTP requests answered, by route group and status",
    ["route", "status"],
)
POINTS_REDEEMED = Counter("telehall_points_redeemed", "Points burned by mall redemptions")
JOB_RUNS = Counter(
    "telehall_job_runs", "Scheduled job runs finished, by job and outcome", ["job", "outcome"]
)
JOB_DURATION = Histogram(
    "telehall_job_duration_seconds",
    "Scheduled job run duration, by job",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)
DB_POOL = Gauge(
    "telehall_db_pool_connections",
    "Database pool connections of this process by state (in_use, idle, max)",
    ["state"],
    multiprocess_mode="livesum",
)
REDIS_POOL = Gauge(
    "telehall_redis_pool_connections",
    "Redis pool connections of this process by state (in_use, idle, max)",
    ["state"],
    multiprocess_mode="livesum",
)


def operation_finished(name: str, kind: str, seconds: float) -> None:
    REQUESTS.labels(name, kind).inc()
    LATENCY.labels(name).observe(seconds)


def error_answered(code: str, kind: str) -> None:
    ERRORS.labels(code, kind).inc()


def points_redeemed(points: int) -> None:
    if points > 0:
        POINTS_REDEEMED.inc(points)


def job_run_finished(name: str, ok: bool, seconds: float) -> None:
    """For the job runner: call once per finished run (ok False when it raised)."""
    JOB_RUNS.labels(name, "ok" if ok else "failed").inc()
    JOB_DURATION.labels(name).observe(seconds)
