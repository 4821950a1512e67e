"""Readiness: may this worker take traffic? The database answers and carries every migration
this code ships, Redis answers, and every live flash sale's stock is loaded in Redis (a sale
Redis forgot is loaded again first). Each check has a short timeout, so a hung dependency
makes the answer "not ready", not a hung probe."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from db.lifecycle import database_reachable, pending_migrations
from db.repositories import flash_sales
from resolvers.context import Services
from resolvers.flash.loading import restore

CHECK_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


async def _check(name: str, probe: Callable[[], Awaitable[str]]) -> Check:
    try:
        detail = await asyncio.wait_for(probe(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return Check(name, False, f"no answer within {CHECK_TIMEOUT_SECONDS:g} s")
    except NotReady as problem:
        return Check(name, False, str(problem))
    except Exception as exc:
        return Check(name, False, f"{type(exc).__name__}: {exc}"[:300])
    return Check(name, True, detail)


class NotReady(Exception):
    pass


async def readiness(services: Services) -> list[Check]:
    async def database() -> str:
        await database_reachable()
        return "reachable"

    async def migrations() -> str:
        pending = await pending_migrations()
        if pending:
            raise NotReady(f"{len(pending)} pending: {', '.join(pending)} (run telehall migrate)")
        return "all applied"

    async def redis() -> str:
        await services.stores.redis.ping()
        return "reachable"

    async def flash_stock() -> str:
        await restore(services, services.now())  # Redis came back empty: load before answering
        live = await flash_sales.sales_live_at(services.now())
        missing = [s.id for s in live if not await services.stores.flash_sales.loaded(s.id)]
        if missing:
            raise NotReady(
                f"{len(missing)} live sale(s) not loaded in Redis (telehall flash rebuild)"
            )
        return f"{len(live)} live sale(s) loaded"

    checks = [await _check("database", database)]
    checks.append(
        await _check("migrations", migrations)
        if checks[0].ok
        else Check("migrations", False, "database unreachable")
    )
    checks.append(await _check("redis", redis))
    checks.append(
        await _check("flashStock", flash_stock)
        if checks[0].ok and checks[-1].ok
        else Check("flashStock", False, "needs the database and Redis")
    )
    return checks
