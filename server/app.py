"""The ASGI app: GraphQL at /graphql (GraphiQL on GET), probes at /healthz and /readyz."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types.unset import UNSET

from db.stores.persisted_queries import PersistedQueryStore
from domain.rate_limits import BucketPolicy, retry_after_seconds
from resolvers.context import RequestContext, Services
from resolvers.jobs.worker import BackgroundWorker
from schema.limits import Limits
from schema.root import build_schema
from server.admission import LocalBuckets, admission_extension, rate_limited
from server.client_address import scope_client
from server.graphql_http import answer_status, graphql_over_http, wants_ide, wants_stream
from server.health import health_routes
from server.heap import freeze_startup_heap
from server.metrics import metrics_endpoint, sample_pools
from server.observe import RequestObserver, observe_operations
from server.outage import OutageMiddleware, RedisOutageExtension
from server.persisted_queries import PersistedQueries
from server.request_connection import OneConnectionPerOperation
from server.resources import close_services, open_services
from server.settings import Settings
from server.tracing import tracing_extension

logger = logging.getLogger("telehall.flash")
server_log = logging.getLogger("uvicorn.error")  # uvicorn configures it: start/stop lines
PROBES = ("/healthz", "/readyz")  # never rate-limited: a probe must not need Redis
GRAPHQL_PATH = "/graphql"
EXAMPLES = (Path(__file__).parent / "examples.graphql").read_text(encoding="utf-8")
GRAPHIQL = (Path(__file__).parent / "graphiql.html").read_text(encoding="utf-8")
GRAPHIQL_ASSETS = Path(__file__).parent / "static" / "graphiql"


def client_ip(request: Request, networks=()) -> str:
    return scope_client(request.scope, networks)


def _bearer_of(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def bearer(request: Request) -> str | None:
    return _bearer_of(request.headers.get("authorization", ""))


class HallGraphQL(GraphQL):
    """HTTP requests follow GraphQL over HTTP (`server.graphql_http`); WebSockets (subscriptions)
    and HTTP streaming stay Strawberry's."""

    def __init__(
        self,
        app_state: Any,
        networks=(),
        retry_after: int = 5,
        max_batch: int = 5,
        *,
        limits: Limits,
        max_tokens: int,
        persisted: PersistedQueries,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.app_state = app_state
        self.networks = networks
        self.retry_after = retry_after
        self.max_batch = max_batch
        self.limits, self.max_tokens, self.persisted = limits, max_tokens, persisted
        self._ide_html = GRAPHIQL.replace(
            "__EXAMPLES__", json.dumps(EXAMPLES).replace("</", "<\\/")
        )

    def apq_store(self) -> PersistedQueryStore:
        return self.app_state.services.stores.persisted_queries

    async def get_context(self, request: Request, response: Response) -> RequestContext:
        services: Services = self.app_state.services
        token = bearer(request)
        http = isinstance(request, Request)  # a websocket reads its session here, once
        session = None
        if not http and token:
            session = await services.stores.sessions.resolve(token)
        return RequestContext(
            services=services,
            session=session,
            client_ip=client_ip(request, self.networks),
            token_rejected=not http and token is not None and session is None,
            user_agent=request.headers.get("user-agent", "")[:256],
            admission_pending=http,
            bearer_token=token,
        )

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().execute_operation(*args, **kwargs)
        context, sub_response = kwargs.get("context"), kwargs.get("sub_response")
        if sub_response is not None:
            answer_status(context, sub_response, self.retry_after)
        return result

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide_html)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if not isinstance(request, Request) or wants_stream(request) or _multipart(request):
            return await super().run(request, context, root_value)
        if wants_ide(request):
            return await self.render_graphql_ide(request)
        return await graphql_over_http(self, request, self.max_batch)


def _multipart(request: Request) -> bool:
    """A file upload (the GraphQL multipart request spec): Strawberry's own handling."""
    return request.headers.get("content-type", "").startswith("multipart/form-data")


class Guard:
    """Refuses oversized bodies (413) before any parsing, and charges routes other than GraphQL
    1 point of the client's rate-limit bucket (429 when empty). GraphQL requests are charged
    their query's cost once it is measured, with their session read in the same round trip
    (`server.admission`)."""

    def __init__(
        self,
        app: ASGIApp,
        state: Any,
        max_body: int,
        policy: BucketPolicy,
        networks=(),
        upload_max_body: int = 0,
    ) -> None:
        self.app, self.state, self.max_body, self.policy = app, state, max_body, policy
        self.networks = networks
        self.upload_max_body = max(upload_max_body, max_body)
        self.local = LocalBuckets(policy)

    async def _retry_after(self, client: str) -> int:
        """0 when the route's point was taken, else the seconds to wait."""
        services = self.state.services
        try:
            admitted = await services.stores.gate.admit(client, None, 1, self.policy)
        except RedisError:  # Redis away: this process counts alone until it is back
            wait = self.local.take(client, 1, int(services.now().timestamp() * 1000))
            return retry_after_seconds(wait) if wait else 0
        return admitted.retry_after_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in PROBES:
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        uploading = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        max_body = self.upload_max_body if uploading else self.max_body
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body):
            return await JSONResponse({"errors": [{"message": "Body too large."}]}, 413)(
                scope, receive, send
            )
        if scope.get("path") != GRAPHQL_PATH:
            wait = await self._retry_after(scope_client(scope, self.networks))
            if wait:
                error = rate_limited(wait, 1).formatted
                return await JSONResponse(
                    {"errors": [error]}, 429, headers={"retry-after": str(wait)}
                )(scope, receive, send)
        received = 0

        async def capped() -> Any:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > max_body:
                raise _TooLarge
            return message

        try:
            await self.app(scope, capped, send)
        except _TooLarge:
            await JSONResponse({"errors": [{"message": "Body too large."}]}, 413)(
                scope, receive, send
            )


class _TooLarge(Exception):
    pass


async def flash_background(services: Services, settings: Settings) -> None:
    """The one flash-sale reaper: each round (every TELEHALL_FLASH_REAP_SECONDS) gives back
    unpaid units, flushes the counted flash-sale and campaign statistics and retries refunds.

    It lives here, not in the job runner: a cron slot is a minute, and a unit held past its
    deadline must return to a sale that is being fought over within a second. Every worker asks
    each round and a Redis lease lets one of them run it, so N workers cost one round, and one
    dead worker costs nothing (all of it is idempotent, a repeated round only repeats no-ops)."""
    from resolvers.flash.reap import reap_round
    from resolvers.promotions import flush_campaign_stats

    lease_ms = max(1, int(settings.flash_reap_seconds * 900))  # gone before the next round
    while True:
        await asyncio.sleep(settings.flash_reap_seconds)
        try:
            if await services.stores.leases.acquire("flash-round", lease_ms) is None:
                continue  # another worker has this round
            await reap_round(services)
            await flush_campaign_stats()
        except Exception:  # a Redis or database hiccup: the next round tries again
            logger.exception("flash-sale reaper round failed")


def create_app(settings: Settings, services: Services | None = None) -> Starlette:
    """With `services` given (tests), the caller owns the database and Redis lifecycles."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if services is not None:
            app.state.services = services
            yield
            return
        app.state.services = await open_services(settings)
        reaper = asyncio.create_task(flash_background(app.state.services, settings))
        worker = None
        if settings.jobs_in_process:
            worker = BackgroundWorker(
                app.state.services, settings.jobs_tick_seconds, settings.sms_send_seconds
            )
            worker.start()
            server_log.info("job runner and SMS sender started in this worker")
        frozen = freeze_startup_heap()
        server_log.info("froze %d start-up objects out of the collector's way", frozen)
        try:
            yield
        finally:
            # uvicorn has already let in-flight requests finish (timeout_graceful_shutdown)
            app.state.stopping = True
            reaper.cancel()
            if worker is not None:
                await worker.stop(settings.shutdown_grace_seconds)
                server_log.info("job runner stopped after its current job")
            await close_services(app.state.services)
            server_log.info("database and Redis pools closed")

    schema = build_schema(
        include_dev=settings.is_dev_like,
        limits=query_limits(settings),
        max_tokens=settings.max_query_tokens,
        introspection=settings.introspection_enabled,
        observers=[
            RedisOutageExtension,
            admission_extension(bucket_policy(settings)),
            OneConnectionPerOperation,
            observe_operations(settings),
            *([tracing_extension()] if settings.otel_enabled else []),
        ],
    )
    app = Starlette(lifespan=lifespan, routes=health_routes())
    app.router.routes.append(Route("/metrics", metrics_endpoint(settings.metrics_token or None)))
    if services is not None:
        app.state.services = services
    networks = settings.trusted_networks
    graphql = HallGraphQL(
        app.state,
        networks,
        settings.redis_retry_after_seconds,
        max_batch=settings.max_batch_operations,
        limits=query_limits(settings),
        max_tokens=settings.max_query_tokens,
        persisted=PersistedQueries(
            settings.persisted_query_cache_size,
            settings.persisted_query_ttl_seconds,
            settings.persisted_query_max_entries,
        ),
        schema=schema,
        graphql_ide="graphiql",
        multipart_uploads_enabled=True,
    )
    app.router.routes.append(Route(GRAPHQL_PATH, graphql, methods=["GET", "POST"]))
    app.router.routes.append(WebSocketRoute(GRAPHQL_PATH, graphql))  # subscriptions
    app.router.routes.append(Mount("/static/graphiql", StaticFiles(directory=GRAPHIQL_ASSETS)))
    app.router.routes.extend(extra_routes(settings.is_dev_like))
    app.add_middleware(
        Guard,
        state=app.state,
        max_body=settings.max_body_bytes,
        upload_max_body=settings.upload_max_body_bytes,
        policy=bucket_policy(settings),
        networks=networks,
    )
    app.add_middleware(OutageMiddleware, retry_after=settings.redis_retry_after_seconds)
    # outermost: 413 and 429 answers get a request id and a log line too
    app.add_middleware(
        RequestObserver, after=lambda: _sample_pools(app), worker_pid=settings.is_dev_like
    )
    return app


def _sample_pools(app: Starlette) -> None:
    services = getattr(app.state, "services", None)
    if services is not None:
        sample_pools(services)


def bucket_policy(settings: Settings) -> BucketPolicy:
    return BucketPolicy(settings.rate_limit_bucket_points, settings.rate_limit_points_per_second)


def query_limits(settings: Settings) -> Limits:
    return Limits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_query_aliases,
        max_directives=settings.max_query_directives,
        max_root_mutations=settings.max_root_mutations,
        max_cost=settings.max_query_cost,
    )


def extra_routes(include_dev: bool = False) -> list[Route | Mount]:
    """Plain HTTP endpoints beside GraphQL (webhooks, PDF and CSV exports) register here."""
    from server.routes import billing_routes, mall_routes, service_routes

    return [*billing_routes(include_dev), *mall_routes(), *service_routes()]
