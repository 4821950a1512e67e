"""GET /metrics in the Prometheus text format (the instruments are in `db/metrics.py`).

With `PROMETHEUS_MULTIPROC_DIR` set (several uvicorn workers), the answer sums every worker's
memory-mapped values, whichever worker the scrape reaches; `telehall serve` empties the directory
before the workers start and each worker leaves the live sums when its lifespan ends.

Values that are the same for every worker (flash-sale stock in Redis, reservations and the SMS
outbox in the database) are read when scraped and answered by a collector made for that scrape
(`BusinessFigures`), never kept in a gauge: a sale that ended or was cancelled is simply not in
the next answer, so /metrics does not grow with every sale ever run (prometheus-client cannot
remove a label set in multiprocess mode). Pool use is read per process on every scrape and
after every request, since a scrape reaches one worker only.

Protection: the numbers are business figures (stock left, points burned, order rates), so the
load balancer must not route /metrics from the internet (docs/deploy.md). `TELEHALL_METRICS_TOKEN`
adds a bearer token on top, for networks where the scraper is not the only one inside.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise import connections

from db import metrics
from db.metrics import job_run_finished  # noqa: F401 (the job runner's entry point)
from db.models.accounts import Notification
from db.models.flash import FlashReservation, FlashSale
from domain.flash.model import ReservationStatus
from resolvers.context import Services

log = structlog.get_logger("telehall.metrics")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> Path | None:
    found = os.environ.get(MULTIPROC_ENV) or os.environ.get(MULTIPROC_ENV.lower())
    return Path(found) if found else None


def reset_multiprocess_dir() -> None:
    """Before the workers start (values of an earlier run would be summed in)."""
    directory = multiprocess_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def leave_sums_on_shutdown(app: ASGIApp) -> ASGIApp:
    """Wraps a worker's app: at the end of its lifespan, in multiprocess mode, its live gauges
    (pool use) leave the sums. Not atexit: uvicorn's workers die by the SIGTERM they re-raise
    after a graceful stop, so no exit handler of theirs runs."""
    if multiprocess_dir() is None:
        return app

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)

        async def send_and_leave(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                multiprocess.mark_process_dead(os.getpid())
            await send(message)

        await app(scope, receive, send_and_leave)

    return wrapped


def sample_pools(services: Services) -> None:
    """Connections of this process's database and Redis pools (cheap attribute reads)."""
    try:
        client = connections.get("default")
    except Exception:  # not initialised yet
        client = None
    pool = getattr(client, "_pool", None)
    if pool is not None and hasattr(pool, "get_size"):
        size, idle = pool.get_size(), pool.get_idle_size()
        metrics.DB_POOL.labels("in_use").set(size - idle)
        metrics.DB_POOL.labels("idle").set(idle)
        metrics.DB_POOL.labels("max").set(pool.get_max_size())
    in_use, idle, most = _redis_pool(services.stores.redis)
    metrics.REDIS_POOL.labels("in_use").set(in_use)
    metrics.REDIS_POOL.labels("idle").set(idle)
    metrics.REDIS_POOL.labels("max").set(most)


def _redis_pool(redis) -> tuple[int, int, int]:
    pool = getattr(redis, "connection_pool", None)
    if pool is not None:  # one Redis
        return (
            len(getattr(pool, "_in_use_connections", ())),
            len(getattr(pool, "_available_connections", ())),
            pool.max_connections,
        )
    in_use = idle = most = 0
    for node in redis.get_nodes() if hasattr(redis, "get_nodes") else []:  # a cluster
        free = len(getattr(node, "_free", ()))
        in_use += len(getattr(node, "_connections", ())) - free
        idle += free
        most += node.max_connections
    return in_use, idle, most


@dataclass
class BusinessFigures(Collector):
    """One scrape's reading of the live sales and the outbox, answered as Prometheus gauges."""

    stock: dict[str, int] = field(default_factory=dict)
    reservations: dict[tuple[str, str], int] = field(default_factory=dict)
    outbox_backlog: int | None = None

    def collect(self) -> Iterator[Metric]:
        stock = GaugeMetricFamily(
            "telehall_flash_sale_stock",
            "Units left of a live flash sale (Redis), read at scrape time",
            labels=["sale"],
        )
        for sale_id, left in sorted(self.stock.items()):
            stock.add_metric([sale_id], left)
        held = GaugeMetricFamily(
            "telehall_flash_sale_reservations",
            "Reservations of a live flash sale by state (database), read at scrape time",
            labels=["sale", "state"],
        )
        for (sale_id, state), n in sorted(self.reservations.items()):
            held.add_metric([sale_id, state], n)
        yield stock
        yield held
        if self.outbox_backlog is not None:
            yield GaugeMetricFamily(
                "telehall_sms_outbox_backlog",
                "SMS notices queued and not yet sent, read at scrape time",
                value=self.outbox_backlog,
            )


async def sample_business(services: Services) -> BusinessFigures:
    """Flash-sale stock and reservations of the sales live now, the SMS outbox backlog."""
    figures = BusinessFigures()
    now = services.now()
    live = await FlashSale.filter(starts_at__lte=now, ends_at__gt=now, cancelled=False).values_list(
        "id", flat=True
    )
    if live:
        stock = await services.stores.flash_sales.remaining_many(list(live))
        figures.stock = {sale_id: left for sale_id, left in stock.items() if left is not None}
        states = (ReservationStatus.HELD, ReservationStatus.PAID)
        figures.reservations = {(sale_id, s.value): 0 for sale_id in live for s in states}
        for sale_id, status in await FlashReservation.filter(
            sale_id__in=list(live), status__in=states
        ).values_list("sale_id", "status"):
            key = (sale_id, getattr(status, "value", status))
            figures.reservations[key] = figures.reservations.get(key, 0) + 1
    figures.outbox_backlog = await Notification.filter(sent_at__isnull=True).count()
    return figures


class _Together(Collector):
    """The process's (or the workers' summed) instruments and this scrape's business figures."""

    def __init__(self, *sources: Collector) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


def metrics_endpoint(token: str | None):
    async def serve_metrics(request: Request) -> Response:
        if token is not None:
            header = request.headers.get("authorization", "")
            if not hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
                return PlainTextResponse("Send Authorization: Bearer <metrics token>.", 401)
        services: Services = request.app.state.services
        sample_pools(services)
        try:
            figures = await sample_business(services)
        except Exception:  # a database or Redis hiccup must not cost the process metrics
            log.warning("business gauges not sampled", exc_info=True)
            figures = BusinessFigures()
        directory = multiprocess_dir()
        if directory is None:
            registry = REGISTRY
        else:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=str(directory))
        answer = generate_latest(_Together(registry, figures))
        return Response(answer, media_type=CONTENT_TYPE_LATEST)

    return serve_metrics
