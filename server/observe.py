"""Per request: a request id, one structured log line, and the Prometheus counts.

`RequestObserver` (ASGI middleware, outermost) gives every HTTP request and WebSocket a request
id (a sane incoming `X-Request-ID` from the load balancer is kept, else a new one), binds it to
every log line of the request, returns it in the `X-Request-ID` header and logs one `request`
line at the end: method, path (never the query string: GET /graphql carries variables there),
status, duration, the GraphQL operation name and a keyed hash of the subscriber id. In dev and
test it also names the worker process that answered (`X-Worker-Pid`, on WebSocket accepts too).

`ObserveOperations` (Strawberry extension, one instance per operation) counts requests, latency
and errors per operation name, and tells the request line which operation ran and for whom.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

import structlog
from graphql import GraphQLError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from db import metrics
from schema.errors import observe_user_errors
from server.settings import Settings

log = structlog.get_logger("telehall.request")

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_OPERATION_NAMES = 300  # per process: client-chosen names must not explode the label space
_ROUTES = {"/graphql": "graphql", "/metrics": "metrics", "/healthz": "health", "/readyz": "health"}
_GROUPS = {"payments", "bills", "recharges.csv", "static"}  # first path segments of the routes


@dataclass
class RequestNote:
    """What the GraphQL layer learnt about the request, for its log line."""

    operations: list[str] = field(default_factory=list)
    subscriber: str | None = None
    staff: str | None = None


_note: ContextVar[RequestNote | None] = ContextVar("telehall_request_note", default=None)


class SubjectHasher:
    """A keyed hash: log lines of one subscriber can be followed, but an id cannot be read back
    (a plain hash of a small integer is reversed by counting)."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def __call__(self, kind: str, subject_id: int) -> str:
        digest = hmac.new(self._key, f"{kind}:{subject_id}".encode(), hashlib.sha256)
        return digest.hexdigest()[:16]


def _route(path: str) -> str:
    """A bounded label: the route group, never the raw path (ids in paths, scanners' junk)."""
    first = path.strip("/").split("/", 1)[0]
    return _ROUTES.get(path) or (first if first in _GROUPS else "other")


class RequestObserver:
    def __init__(
        self, app: ASGIApp, after: Callable[[], None] | None = None, worker_pid: bool = False
    ) -> None:
        self.app = app
        self.after = after  # per-process gauges to refresh after each request
        # dev/test: `X-Worker-Pid` tells which worker answered (multi-worker tests, debugging)
        self.worker_pid = worker_pid

    def _worker_header(self) -> list[tuple[bytes, bytes]]:
        return [(b"x-worker-pid", str(os.getpid()).encode())] if self.worker_pid else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        note = RequestNote()
        _note.set(note)
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    *self._worker_header(),
                ]
            elif message["type"] == "websocket.accept" and self.worker_pid:
                message["headers"] = [*message.get("headers", []), *self._worker_header()]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            status = 500
            raise
        finally:
            seconds = time.perf_counter() - started
            path = scope.get("path", "")
            if scope["type"] == "http":
                metrics.HTTP_REQUESTS.labels(_route(path), str(status)).inc()
            log.info(
                "request" if scope["type"] == "http" else "websocket closed",
                method=scope.get("method", "WS"),
                path=path,
                status=status,
                duration_ms=round(seconds * 1000, 2),
                operation=",".join(note.operations) or None,
                subscriber=note.subscriber,
                staff=note.staff,
            )
            structlog.contextvars.clear_contextvars()
            if self.after is not None:
                try:
                    self.after()
                except Exception:  # counting must never fail a request
                    log.debug("after-request sampling failed", exc_info=True)


def observe_operations(settings: Settings) -> type[SchemaExtension]:
    hasher = SubjectHasher(settings.log_hash_secret or settings.id_number_secret)
    names: set[str] = set()

    def label(name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _OPERATION_NAME.match(name):
            return "invalid"
        if name not in names and len(names) >= MAX_OPERATION_NAMES:
            return "other"
        names.add(name)
        return name

    class ObserveOperations(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            answered = observe_user_errors()
            yield
            seconds = time.perf_counter() - started
            ec = self.execution_context
            name = label(_operation_name(ec))
            kind = _operation_type(ec)
            metrics.operation_finished(name, kind, seconds)
            for code in answered:
                metrics.error_answered(code, "user")
            result = ec.result
            for error in getattr(result, "errors", None) or []:
                metrics.error_answered(_graphql_code(error), "graphql")
            note = _note.get()
            if note is not None:
                note.operations.append(name)
                session = getattr(ec.context, "session", None)
                if session is not None and session.is_subscriber:
                    note.subscriber = hasher("sub", session.subject_id)
                elif session is not None:
                    note.staff = hasher("staff", session.subject_id)

    return ObserveOperations


def _operation_name(ec) -> str | None:
    try:
        return ec.operation_name
    except Exception:  # an unparsable document has none
        return None


def _operation_type(ec) -> str:
    try:
        return ec.operation_type.value
    except Exception:
        return "unknown"


def _graphql_code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    if code:
        return str(code)
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        return "INTERNAL"
    return "BAD_REQUEST"  # syntax, validation, unknown operation
