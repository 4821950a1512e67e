"""Structured logs: one JSON object per line (structlog), for the hall's own loggers and for every
stdlib logger (uvicorn, strawberry, tortoise) alike.

Every line of a request carries its `request_id` (bound by `server/observe.py`, returned in the
X-Request-ID header and in masked GraphQL errors). What the hall logs is chosen so that no secret
is ever written: the request line has the operation name, a keyed hash of the subscriber id and
the duration, never variables, headers or bodies. `redact` below is the second line of defence:
it blanks fields named like secrets and scrubs bearer tokens and resident ID numbers from text.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, TextIO

import structlog

REDACTED = "[redacted]"
# Field names whose values are never written (lower case, compared after dropping - and _).
SECRET_FIELDS = {
    "password", "newpassword", "oldpassword", "servicepassword", "secret", "token", "authorization",
    "cookie", "captchaanswer", "answer", "code", "smscode", "pin", "cardpin", "idnumber", "puk",
    "variables", "query", "body",
}  # fmt: skip
_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+")
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")


def _scrub(text: str) -> str:
    return _ID_NUMBER.sub(REDACTED, _BEARER.sub("Bearer " + REDACTED, text))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _scrub(value)
    if isinstance(value, dict):
        return {k: REDACTED if _secret(k) else _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _secret(name: object) -> bool:
    return str(name).lower().replace("_", "").replace("-", "") in SECRET_FIELDS


def redact(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    for name in list(event):
        if name == "event":
            event[name] = _clean(event[name])
        elif _secret(name):
            event[name] = REDACTED
        else:
            event[name] = _clean(event[name])
    return event


def _scrub_rendered(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    # exception text is rendered after `redact` ran: scrub it too
    if isinstance(event.get("exception"), str):
        event["exception"] = _scrub(event["exception"])
    return event


def configure_logging(
    level: str = "info", json: bool = True, stream: TextIO | None = None
) -> logging.Handler:
    """Route structlog and the stdlib loggers through one handler on the root logger (replacing
    the handler an earlier call installed); returns it."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _scrub_rendered,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    handler.set_name("telehall")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "telehall"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # tortoise and aiosqlite log every SQL statement with its parameters at DEBUG, and the
    # outbox's rows hold SMS codes and random passwords: never below INFO, whatever was asked
    for name in ("tortoise.db_client", "aiosqlite"):
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    for name in ("uvicorn", "uvicorn.error"):  # through the root handler, at the root's level
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
        logging.getLogger(name).setLevel(logging.NOTSET)
    # uvicorn's access line has the query string (GET /graphql carries variables there): off for
    # good, the request line of server/observe.py replaces it
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    return handler
