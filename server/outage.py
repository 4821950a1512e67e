"""Redis down: answer 503 with Retry-After, keep serving what needs no Redis, recover by itself.

- Any Redis failure that escapes a handler (the session lookup, /healthz, a route) becomes
  HTTP 503 `{"errors": [{"message": …, "extensions": {"code": "UNAVAILABLE"}}]}` with
  Retry-After (`OutageMiddleware`); the payment provider retries on 5xx by design, so the
  callback answers 503 too and the credit happens on a later delivery.
- Inside GraphQL a field that needed Redis fails with code UNAVAILABLE and the whole response
  is 503 with Retry-After (`RedisOutageExtension` + `HallGraphQL.execute_operation`); fields
  that need no Redis (anonymous catalog reads, say) answer 200 as usual.
- The rate limit falls back to per-process buckets while Redis is away
  (`server.admission.LocalBuckets`), so an outage neither opens the door wide nor shuts it.
- No state is kept about the outage: redis-py reconnects on the next command, so the first
  request after Redis returns is served normally (no restart).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from redis.exceptions import RedisError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

logger = logging.getLogger("telehall.outage")
UNAVAILABLE_MESSAGE = "The service is briefly unavailable; retry shortly."


def is_outage(error: BaseException | None) -> bool:
    """A Redis failure (refused, timed out, no pooled connection, loading), or one caused by it."""
    for _ in range(10):
        if error is None:
            return False
        if isinstance(error, RedisError):
            return True
        error = error.__cause__ or error.__context__
    return False


def unavailable_response(retry_after: int) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": "UNAVAILABLE"}}]},
        503,
        headers={"retry-after": str(retry_after)},
    )


class OutageMiddleware:
    """The outermost layer: a Redis failure anywhere below is a 503, never a bare 500."""

    def __init__(self, app: ASGIApp, retry_after: int) -> None:
        self.app, self.retry_after = app, retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as error:
            if not is_outage(error) or started:
                raise
            logger.warning("redis unavailable: %s %s", scope.get("path"), error)
            await unavailable_response(self.retry_after)(scope, receive, send)


class RedisOutageExtension(SchemaExtension):
    """Fields that failed because Redis is away say UNAVAILABLE (not "Internal error.") and
    mark the request, so the HTTP answer is 503 with Retry-After."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        errors = []
        for error in result.errors:
            if is_outage(error.original_error):
                error = GraphQLError(
                    UNAVAILABLE_MESSAGE,
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": "UNAVAILABLE"},
                )
                context = self.execution_context.context
                if context is not None:
                    context.unavailable = True
            errors.append(error)
        result.errors = errors
