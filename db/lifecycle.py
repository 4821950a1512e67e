"""Open, migrate and close the database. Migrations are Tortoise's own, applied programmatically."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as migrate_api
from tortoise.migrations.recorder import MigrationRecorder

from db.config import APP, tortoise_config


async def apply_migrations(database_url: str) -> None:
    config = tortoise_config(database_url, pool_max=2)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        await migrate_api(config=config)


async def open_database(database_url: str, pool_max: int) -> None:
    # The global fallback lets resolvers running outside the lifespan task reach the connections.
    await Tortoise.init(
        config=tortoise_config(database_url, pool_max), _enable_global_fallback=True
    )


async def close_database() -> None:
    await Tortoise.close_connections()


def migration_names() -> list[str]:
    """The migrations this code ships (db/migrations/NNNN_*.py), in order."""
    folder = Path(__file__).parent / "migrations"
    return sorted(p.stem for p in folder.glob("[0-9][0-9][0-9][0-9]_*.py"))


async def pending_migrations() -> list[str]:
    """Shipped migrations the open database has not applied (all of them on an empty one)."""
    recorder = MigrationRecorder(connections.get("default"))
    applied = {key.name for key in await recorder.applied_migrations() if key.app_label == APP}
    return [name for name in migration_names() if name not in applied]


async def database_reachable() -> None:
    """Raises when the database does not answer a trivial query."""
    await connections.get("default").execute_query("SELECT 1")
