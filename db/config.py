"""Tortoise configuration from a database URL; one app, `telehall`, with its own migrations."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise.backends.base.config_generator import expand_db_url

from db.models import MODEL_MODULES

APP = "telehall"


async def reset_released(connection: Any) -> None:
    """What asyncpg's pool runs when a connection goes back (Tortoise takes one per statement,
    a GraphQL operation one for all of its statements: `db.request_connections`).
    Its default reset is a round trip per statement (`pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`) that undoes state this app never leaves behind: its only advisory
    locks are transaction-scoped (`pg_advisory_xact_lock`), it opens no cursors, never LISTENs
    and never SETs a session variable. Only an unfinished transaction could leak, so that alone
    is rolled back."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


def sqlite_config(database_url: str) -> dict[str, Any]:
    """Tortoise already opens SQLite in WAL mode; with WAL, `synchronous=NORMAL` (Rails' and
    the SQLite documentation's recommendation) syncs at checkpoints instead of on every commit.
    A commit survives the process being killed; only an operating-system crash or a power cut
    can roll back the last commits. That is the embedded database's bargain (PostgreSQL, the
    production database, keeps `synchronous_commit`): an fsync per commit made each flash-sale
    win wait on the disk while the other worker queued behind its write lock. A URL's own
    `?synchronous=FULL` still wins."""
    config = expand_db_url(database_url)
    config["credentials"].setdefault("synchronous", "NORMAL")
    config["engine"] = "db.sqlite_engine"  # transactions BEGIN IMMEDIATE
    return config


def connection_config(database_url: str, pool_max: int) -> str | dict[str, Any]:
    parts = urlsplit(database_url)
    if parts.scheme == "sqlite":
        return sqlite_config(database_url)
    if parts.scheme not in ("postgres", "postgresql", "asyncpg"):
        return database_url
    query = dict(parse_qsl(parts.query))
    query.setdefault("maxsize", str(pool_max))
    query.setdefault("minsize", "1")
    config = expand_db_url(urlunsplit(parts._replace(scheme="postgres", query=urlencode(query))))
    config["credentials"]["reset"] = reset_released
    config["engine"] = "db.request_connections"  # one pool connection per GraphQL operation
    return config


def tortoise_config(database_url: str, pool_max: int = 20) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url, pool_max)},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "db.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres(database_url: str) -> bool:
    return urlsplit(database_url).scheme in ("postgres", "postgresql", "asyncpg")


# For `tortoise -c db.config.TORTOISE_ORM makemigrations` during development.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
