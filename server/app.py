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
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from resolvers.context import RequestContext, Services
from schema.root import build_schema
from server.resources import close_services, open_services
from server.settings import Settings

logger = logging.getLogger("telehall.flash")
EXAMPLES = (Path(__file__).parent / "examples.graphql").read_text(encoding="utf-8")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class HallGraphQL(GraphQL):
    def __init__(self, app_state: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_state = app_state
        self._ide_html = self.graphql_ide_html.replace(
            "defaultEditorToolsVisibility: true,",
            f"defaultEditorToolsVisibility: true, defaultQuery: {json.dumps(EXAMPLES)},",
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


class Guard:
    """Refuses oversized bodies (413) and clients past the rate limit (429) before any parsing."""

    def __init__(
        self, app: ASGIApp, state: Any, max_body: int, per_minute: int, upload_max_body: int = 0
    ) -> None:
        self.app, self.state, self.max_body, self.per_minute = app, state, max_body, per_minute
        self.upload_max_body = max(upload_max_body, max_body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        uploading = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        max_body = self.upload_max_body if uploading else self.max_body
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body):
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

    schema = build_schema(include_dev=settings.is_dev_like, max_depth=settings.max_query_depth)
    app = Starlette(lifespan=lifespan, routes=[Route("/healthz", healthz)])
    if services is not None:
        app.state.services = services
    graphql = HallGraphQL(
        app.state, schema=schema, graphql_ide="graphiql", multipart_uploads_enabled=True
    )
    app.router.routes.append(Route("/graphql", graphql, methods=["GET", "POST"]))
    app.router.routes.append(WebSocketRoute("/graphql", graphql))  # subscriptions
    app.router.routes.extend(extra_routes(settings.is_dev_like))
    app.add_middleware(
        Guard,
        state=app.state,
        max_body=settings.max_body_bytes,
        upload_max_body=settings.upload_max_body_bytes,
        per_minute=settings.rate_limit_per_minute,
    )
    return app


def extra_routes(include_dev: bool = False) -> list[Route | Mount]:
    """Plain HTTP endpoints beside GraphQL (webhooks, PDF and CSV exports) register here."""
    from server.routes import billing_routes, mall_routes, service_routes

    return [*billing_routes(include_dev), *mall_routes(), *service_routes()]
