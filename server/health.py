"""/healthz: the process is alive (for a liveness probe: restart me if this fails).
/readyz: this worker may take traffic (for the load balancer and `make run`): 200 when every
check passes, 503 with the failing checks otherwise."""

from __future__ import annotations

import sys
import threading
import urllib.error
import urllib.request

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from resolvers.health import readiness


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    services = getattr(request.app.state, "services", None)
    if services is None or getattr(request.app.state, "stopping", False):
        reason = "shutting down" if services is not None else "starting"
        return JSONResponse({"status": "not ready", "checks": {}, "reason": reason}, 503)
    checks = await readiness(services)
    ready = all(c.ok for c in checks)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    if ready:
        return JSONResponse(body, 200)
    retry = str(services.settings.redis_retry_after_seconds)
    return JSONResponse(body, 503, headers={"retry-after": retry})


def health_routes() -> list[Route]:
    return [Route("/healthz", healthz), Route("/readyz", readyz)]


def announce_when_ready(
    host: str, port: int, say, within_seconds: float = 120.0
) -> threading.Thread:
    """`make run`'s readiness message: poll /readyz from a thread and say when the hall may be
    used, or what is still not ready when it does not become ready in time."""
    probe_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{probe_host}:{port}/readyz"

    def watch() -> None:
        last = "no answer yet"
        for _ in range(int(within_seconds / 0.5)):
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        say(f"ready: GraphQL at http://{host}:{port}/graphql (/readyz passes)")
                        sys.stdout.flush()  # a worker dies by the re-raised SIGTERM: no flush then
                        return
            except urllib.error.HTTPError as refused:  # 503: not ready, with the reasons
                last = refused.read().decode("utf-8", "replace")
            except OSError:
                pass
            threading.Event().wait(0.5)
        say(f"not ready after {within_seconds:g} s: {last}")

    thread = threading.Thread(target=watch, name="readiness", daemon=True)
    thread.start()
    return thread
