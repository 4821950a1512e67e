"""Runs due jobs once per slot across every worker and host.

For each job, a tick asks its schedule which slot is due at the clock's `now`; a slot already
SUCCEEDED is skipped. Otherwise the runner takes the job's Redis lease (a fencing token),
checks again under it, marks runs of the slot left RUNNING under an older token ABANDONED, records
a RUNNING row carrying its token, runs the job while renewing the lease, and records the end
through an UPDATE guarded by that token. Jobs run one after another, so stopping the runner
waits for the current job only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Mapping
from datetime import datetime

from db.metrics import job_run_finished
from db.models.jobs import JobRun
from db.repositories import job_runs
from domain.jobs import JobRunStatus, JobTrigger, may_attempt
from resolvers.context import Services
from resolvers.jobs.context import JobContext
from resolvers.jobs.registry import JOBS, JobSpec

logger = logging.getLogger("telehall.jobs")


class LeaseHeld(Exception):
    """Another runner holds this job's lease right now."""


class JobRunner:
    def __init__(
        self,
        services: Services,
        jobs: Mapping[str, JobSpec] = JOBS,
        worker: str | None = None,
    ) -> None:
        self.services = services
        self.jobs = jobs
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = False

    @property
    def lease_ms(self) -> int:
        return self.services.settings.jobs_lease_seconds * 1000

    async def due(self, now: datetime) -> list[tuple[JobSpec, datetime]]:
        """The (job, slot) pairs to run at `now`: due, not done, not given up."""
        found = []
        max_attempts = self.services.settings.jobs_max_attempts
        for spec in self.jobs.values():
            slot = spec.schedule.due(now)
            if slot is None or await job_runs.succeeded(spec.name, slot):
                continue
            if may_attempt(await job_runs.failed_attempts(spec.name, slot), max_attempts):
                found.append((spec, slot))
        return found

    async def tick(self) -> list[JobRun]:
        """Run every due slot, one job after another; returns the runs this runner made."""
        runs = []
        for spec, slot in await self.due(self.services.now()):
            if self.stopping:
                break
            try:
                run = await self.run(spec, slot, JobTrigger.SCHEDULE)
            except LeaseHeld:
                continue
            if run is not None:
                runs.append(run)
        return runs

    async def run_now(self, name: str) -> JobRun | None:
        """`telehall jobs run NAME`: run at once for the instant now (raises LeaseHeld)."""
        spec = self.jobs[name]
        return await self.run(spec, self.services.now(), JobTrigger.MANUAL)

    async def run(self, spec: JobSpec, slot: datetime, trigger: JobTrigger) -> JobRun | None:
        leases = self.services.stores.leases
        token = await leases.acquire(spec.name, self.lease_ms)
        if token is None:
            raise LeaseHeld(spec.name)
        try:
            if trigger is JobTrigger.SCHEDULE and not await self._still_due(spec, slot):
                return None  # another runner finished it between our look and our lease
            now = self.services.now()
            await job_runs.abandon_older(spec.name, slot, token, now)
            run = await job_runs.start(spec.name, slot, token, self.worker, trigger, now)
            if run is None:
                return None
            await self._execute(spec, run, token, slot, now)
            return await JobRun.get(id=run.id)
        finally:
            await leases.release(spec.name, token)

    async def _still_due(self, spec: JobSpec, slot: datetime) -> bool:
        if await job_runs.succeeded(spec.name, slot):
            return False
        failed = await job_runs.failed_attempts(spec.name, slot)
        return may_attempt(failed, self.services.settings.jobs_max_attempts)

    async def _execute(
        self, spec: JobSpec, run: JobRun, token: int, slot: datetime, now: datetime
    ) -> None:
        keeper = asyncio.create_task(self._keep_lease(spec.name, token))
        status, counts, error = JobRunStatus.FAILED, {}, None
        started = time.perf_counter()  # a duration for the metrics, not a time of day
        try:
            outcome = await spec.run(JobContext(self.services, slot, now))
            status, counts = JobRunStatus.SUCCEEDED, outcome.counts
        except asyncio.CancelledError:
            error = "cancelled: the runner was stopped past its grace period"
            raise
        except Exception as exc:
            logger.exception("job %s failed", spec.name)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            job_run_finished(
                spec.name, status is JobRunStatus.SUCCEEDED, time.perf_counter() - started
            )
            if not await job_runs.finish(run, status, counts, error, self.services.now()):
                logger.warning("job %s lost its lease before it finished", spec.name)

    async def _keep_lease(self, name: str, token: int) -> None:
        leases = self.services.stores.leases
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            if not await leases.renew(name, token, self.lease_ms):
                logger.warning("job %s: lease lost (token %s)", name, token)
                return
