"""The real app, served by uvicorn in a subprocess for the SIGTERM test, plus two things the test
needs: a slow route, and a slow job in place of the registry (so the subprocess runs no business
job against the test database). Markers in TELEHALL_TEST_MARKERS tell the test what happened."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import uvicorn
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from domain.jobs import JobOutcome
from resolvers.jobs.registry import JOBS, JobSpec
from resolvers.jobs.schedule import Schedule
from server.app import create_app
from server.settings import load_settings

MARKERS = Path(os.environ.get("TELEHALL_TEST_MARKERS", "."))
SLOW_SECONDS = float(os.environ.get("TELEHALL_TEST_SLOW_SECONDS", "3"))


async def slow_job(job) -> JobOutcome:
    (MARKERS / "job-started").touch()
    await asyncio.sleep(SLOW_SECONDS)
    (MARKERS / "job-finished").touch()
    return JobOutcome({"slept": int(SLOW_SECONDS)})


JOBS.clear()
JOBS[os.environ.get("TELEHALL_TEST_JOB", "test-slow-job")] = JobSpec(
    os.environ.get("TELEHALL_TEST_JOB", "test-slow-job"),
    Schedule("* * * * *", timedelta(minutes=5)),
    slow_job,
    "sleeps, for the shutdown test",
)


async def slow(request: Request) -> PlainTextResponse:
    (MARKERS / "request-started").touch()
    await asyncio.sleep(SLOW_SECONDS)
    return PlainTextResponse("done")


settings = load_settings()
app = create_app(settings)
app.router.routes.append(Route("/slow", slow))

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=settings.port,
        log_level="info",
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    )
