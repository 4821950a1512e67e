"""Open, migrate and close the database. Migrations are Tortoise's own, applied programmatically."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as migrate_api

from db.config import tortoise_config


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
