"""The ASGI app: GraphQL at /graphql (GraphiQL on GET), health at /healthz."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types.unset import UNSET

from resolvers.context import RequestContext, Services
from schema.limits import Limits
from schema.root import build_schema
from server.graphql_http import graphql_over_http, wants_ide, wants_stream
from server.resources import close_services, open_services
from server.settings import Settings

logger = logging.getLogger("telehall.flash")
EXAMPLES = (Path(__file__).parent / "examples.graphql").read_text(encoding="utf-8")
GRAPHIQL = (Path(__file__).parent / "graphiql.html").read_text(encoding="utf-8")
GRAPHIQL_ASSETS = Path(__file__).parent / "static" / "graphiql"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class HallGraphQL(GraphQL):
    """HTTP requests follow GraphQL over HTTP (`server.graphql_http`); WebSockets (subscriptions)
    and HTTP streaming stay Strawberry's."""

    def __init__(self, app_state: Any, max_batch: int = 5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_state = app_state
        self.max_batch = max_batch
        self._ide_html = GRAPHIQL.replace(
            "__EXAMPLES__", json.dumps(EXAMPLES).replace("</", "<\\/")
        )

    async def get_context(self, request: Request, response: Response) -> RequestContext:
        services: Services = self.app_state.services
        token = bearer(request)
        session = await services.stores.sessions.resolve(token) if token else None
        return RequestContext(
            services=services,
            session=session,
            client_ip=client_ip(request),
            token_rejected=token is not None and session is None,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide_html)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if not isinstance(request, Request) or wants_stream(request):
            return await super().run(request, context, root_value)
        if wants_ide(request):
            return await self.render_graphql_ide(request)
        return await graphql_over_http(self, request, self.max_batch)


class Guard:
    """Refuses oversized bodies (413) and clients past the rate limit (429) before any parsing."""

    def __init__(self, app: ASGIApp, state: Any, max_body: int, per_minute: int) -> None:
        self.app, self.state, self.max_body, self.per_minute = app, state, max_body, per_minute

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await JSONResponse({"errors": [{"message": "Body too large."}]}, 413)(
                scope, receive, send
            )
        client = scope.get("client") or ("unknown", 0)
        allowed = await self.state.services.stores.rate_limits.allow(
            "http", client[0], self.per_minute
        )
        if not allowed:
            return await JSONResponse(
                {
                    "errors": [
                        {"message": "Too many requests.", "extensions": {"code": "RATE_LIMITED"}}
                    ]
                },
                429,
            )(scope, receive, send)
        received = 0

        async def capped() -> Any:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
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


async def healthz(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    await services.stores.redis.ping()
    return JSONResponse({"status": "ok"})


async def flash_background(services: Services, settings: Settings) -> None:
    """Every worker reaps unpaid flash-sale units and flushes the counted statistics (both are
    idempotent, so workers running them at once only repeat no-ops)."""
    from resolvers.flash.reap import flush_stats, reap

    while True:
        await asyncio.sleep(settings.flash_reap_seconds)
        try:
            await reap(services)
            await flush_stats(services)
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
        try:
            yield
        finally:
            reaper.cancel()
            await close_services(app.state.services)

    schema = build_schema(
        include_dev=settings.is_dev_like,
        limits=query_limits(settings),
        max_tokens=settings.max_query_tokens,
        introspection=settings.introspection_enabled,
    )
    app = Starlette(lifespan=lifespan, routes=[Route("/healthz", healthz)])
    if services is not None:
        app.state.services = services
    graphql = HallGraphQL(
        app.state, max_batch=settings.max_batch_operations, schema=schema, graphql_ide="graphiql"
    )
    app.router.routes.append(Route("/graphql", graphql, methods=["GET", "POST"]))
    app.router.routes.append(WebSocketRoute("/graphql", graphql))  # subscriptions
    app.router.routes.append(Mount("/static/graphiql", StaticFiles(directory=GRAPHIQL_ASSETS)))
    app.router.routes.extend(extra_routes(settings.is_dev_like))
    app.add_middleware(
        Guard,
        state=app.state,
        max_body=settings.max_body_bytes,
        per_minute=settings.rate_limit_per_minute,
    )
    return app


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
    from server.routes import billing_routes, mall_routes

    return [*billing_routes(include_dev), *mall_routes()]
