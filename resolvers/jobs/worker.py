"""The background worker: APScheduler's AsyncIOScheduler calls the job runner's tick every
`jobs_tick_seconds` and the SMS sender every `sms_send_seconds` (each at most one instance at a
time, late calls coalesced). It runs in `telehall jobs worker`, or inside each server worker when
TELEHALL_JOBS_IN_PROCESS is on (make run). `stop` lets the current job and send round finish."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from resolvers import sms_sender
from resolvers.context import Services
from resolvers.jobs.runner import JobRunner

logger = logging.getLogger("telehall.jobs")
# A send round still going when the next is due is skipped on purpose (max_instances=1,
# coalesced): APScheduler would warn about each; failures are logged by `_guarded` instead.
logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
logging.getLogger("apscheduler.executors.default").setLevel(logging.ERROR)


class BackgroundWorker:
    def __init__(
        self, services: Services, tick_seconds: float, sms_seconds: float, *, send_sms: bool = True
    ) -> None:
        self.services = services
        self.runner = JobRunner(services)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.tick_seconds, self.sms_seconds, self.send_sms = tick_seconds, sms_seconds, send_sms
        self._busy: set[asyncio.Task] = set()

    def start(self) -> None:
        """Needs a running event loop."""
        options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        tick = self._guarded(self.runner.tick, "job tick")
        self.scheduler.add_job(
            tick, IntervalTrigger(seconds=self.tick_seconds), id="jobs-tick", **options
        )
        self.scheduler.add_job(tick, id="jobs-first-tick")  # no trigger: once, at start
        if self.send_sms:
            self.scheduler.add_job(
                self._guarded(self._send, "sms round"),
                IntervalTrigger(seconds=self.sms_seconds),
                id="sms-send",
                **options,
            )
        self.scheduler.start()

    async def _send(self) -> None:
        await sms_sender.drain(self.services, max_rounds=5)

    def _guarded(self, work: Callable[[], Awaitable[object]], what: str):
        async def call() -> None:
            if self.runner.stopping:
                return
            task = asyncio.current_task()
            if task is not None:
                self._busy.add(task)
            try:
                await work()
            except Exception:  # Redis or the database away for a moment: next call retries
                logger.exception("%s failed", what)
            finally:
                if task is not None:
                    self._busy.discard(task)

        return call

    async def stop(self, grace_seconds: float) -> None:
        """No new job starts; the current one (and the current send round) may finish within
        the grace period, then is cancelled (its run is recorded FAILED, the slot retried)."""
        self.runner.stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        busy = [t for t in self._busy if t is not asyncio.current_task()]
        if busy:
            _, late = await asyncio.wait(busy, timeout=grace_seconds)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=5)
