"""Run one registered job for a slot, the way the runner calls it (its counts back)."""

from __future__ import annotations

from datetime import datetime

from resolvers.context import Services
from resolvers.jobs.context import JobContext
from resolvers.jobs.registry import JOBS


async def run_job(name: str, services: Services, slot: datetime) -> dict[str, int]:
    outcome = await JOBS[name].run(JobContext(services, slot, services.now()))
    return dict(outcome.counts)
