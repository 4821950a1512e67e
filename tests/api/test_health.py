"""/healthz answers while the process lives; /readyz checks the database, its migrations, Redis
and the flash-sale stock, and says 503 with the failing checks when any fails."""

from __future__ import annotations

import dataclasses

import httpx

from db.lifecycle import migration_names, pending_migrations
from db.redis import connect_redis
from db.stores import Stores
from resolvers.flash import loading as flash_loading
from server.app import create_app


async def test_ready_when_everything_answers(api, services) -> None:
    await flash_loading.restore(services, services.now())  # what start-up does (open_services)
    response = await api.client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["migrations"] == {"ok": True, "detail": "all applied"}
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    assert await pending_migrations() == []
    assert "0009_jobs" in migration_names()


async def test_not_ready_without_redis_but_still_alive(settings, services) -> None:
    dead = connect_redis("redis://127.0.0.1:1/0", 2)
    broken = dataclasses.replace(
        services, stores=Stores.build(dead, settings.redis_prefix, 900, services.clock)
    )
    app = create_app(settings, broken)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
            response = await client.get("/readyz")
            assert response.status_code == 503
            checks = response.json()["checks"]
            assert checks["database"]["ok"] and checks["migrations"]["ok"]
            assert not checks["redis"]["ok"] and "Error" in checks["redis"]["detail"]
            assert checks["flashStock"] == {"ok": False, "detail": "needs the database and Redis"}
            assert (await client.get("/healthz")).status_code == 200  # alive: do not restart
    finally:
        await dead.aclose()
