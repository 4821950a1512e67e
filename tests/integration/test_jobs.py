"""The job runner: a due slot runs once (also with two runners at once), a failing run is recorded
and retried, a runner that lost its lease cannot record over the one that took over, and the
registered jobs run from the hall's clock."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from db.models.jobs import JobRun
from db.repositories import job_runs
from domain.calendar import SHANGHAI, as_utc
from domain.jobs import JobOutcome, JobRunStatus, JobTrigger, latest_due
from resolvers.jobs.registry import JOBS, JobSpec
from resolvers.jobs.runner import JobRunner, LeaseHeld
from resolvers.jobs.schedule import Schedule
from tests.hall_clock import now as hall_now


def counting_job(name: str, calls: list, delay: float = 0.0, fail: bool = False) -> JobSpec:
    async def run(job) -> JobOutcome:
        calls.append(job.scheduled_for)
        await asyncio.sleep(delay)
        if fail:
            raise RuntimeError("the gateway is down")
        return JobOutcome({"done": len(calls)})

    return JobSpec(name, Schedule("0 * * * *", timedelta(minutes=30)), run, "a test job")


def unique(prefix: str) -> str:
    return f"test-{prefix}-{secrets.token_hex(3)}"


def hours_ahead():
    """`at(m)`: an instant m minutes past a whole hour tomorrow (by the hall's clock when the
    test starts, so that setting the clock does not move it)."""
    base = (hall_now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    return lambda minutes_after: base + timedelta(minutes=minutes_after)


async def test_a_due_slot_runs_once_and_the_next_slot_runs_again(services, clock) -> None:
    at = hours_ahead()
    calls: list = []
    name = unique("hourly")
    runner = JobRunner(services, {name: counting_job(name, calls)})
    clock.set(at(10))
    first = await runner.tick()
    assert [r.status for r in first] == [JobRunStatus.SUCCEEDED]
    assert first[0].scheduled_for == at(0)
    assert first[0].counts == {"done": 1}
    assert await runner.tick() == []  # same slot: nothing more
    clock.set(at(45))  # past the catch-up window of the slot, before the next one
    assert await runner.tick() == []
    clock.set(at(61))
    assert len(await runner.tick()) == 1
    assert calls == [at(0), at(60)]


async def test_two_runners_at_once_run_a_slot_once(services, clock) -> None:
    at = hours_ahead()
    calls: list = []
    name = unique("race")
    jobs = {name: counting_job(name, calls, delay=0.2)}
    one, two = JobRunner(services, jobs, "host-a:1"), JobRunner(services, jobs, "host-b:2")
    clock.set(at(5))
    results = await asyncio.gather(one.tick(), two.tick(), one.tick(), two.tick())
    assert sum(len(r) for r in results) == 1
    assert len(calls) == 1
    rows = await JobRun.filter(name=name)
    assert [(r.status, r.attempt) for r in rows] == [(JobRunStatus.SUCCEEDED, 1)]


async def test_a_manual_run_while_the_lease_is_held_is_refused(services, clock) -> None:
    at = hours_ahead()
    calls: list = []
    name = unique("manual")
    runner = JobRunner(services, {name: counting_job(name, calls, delay=0.3)})
    clock.set(at(5))
    scheduled = asyncio.create_task(runner.tick())
    await asyncio.sleep(0.1)
    with pytest.raises(LeaseHeld):
        await runner.run_now(name)
    await scheduled
    manual = await runner.run_now(name)
    assert manual.trigger is JobTrigger.MANUAL and manual.status is JobRunStatus.SUCCEEDED
    assert len(calls) == 2


async def test_a_failing_run_is_recorded_and_retried_up_to_the_limit(services, clock) -> None:
    at = hours_ahead()
    calls: list = []
    name = unique("failing")
    runner = JobRunner(services, {name: counting_job(name, calls, fail=True)})
    clock.set(at(1))
    for _ in range(services.settings.jobs_max_attempts + 2):
        await runner.tick()
    rows = await JobRun.filter(name=name).order_by("attempt")
    assert [r.attempt for r in rows] == list(range(1, services.settings.jobs_max_attempts + 1))
    assert {r.status for r in rows} == {JobRunStatus.FAILED}
    assert rows[0].error == "RuntimeError: the gateway is down"
    assert rows[0].finished_at is not None


async def test_a_runner_that_lost_its_lease_cannot_record_its_end(services, clock) -> None:
    at = hours_ahead()
    name = unique("fenced")
    slot = at(0)
    leases = services.stores.leases
    stale = await leases.acquire(name, 50)
    run = await job_runs.start(name, slot, stale, "stalled:1", JobTrigger.SCHEDULE, slot)
    await asyncio.sleep(0.1)  # its lease runs out while it is "paused"
    newer = await leases.acquire(name, 10_000)
    assert newer is not None and newer > stale
    assert await job_runs.abandon_older(name, slot, newer, slot) == 1
    assert not await job_runs.finish(run, JobRunStatus.SUCCEEDED, {}, None, slot)
    assert (await JobRun.get(id=run.id)).status is JobRunStatus.ABANDONED
    assert not await leases.renew(name, stale, 1000)
    assert not await leases.release(name, stale)
    assert await leases.release(name, newer)


async def test_a_registered_job_runs_from_the_hall_clock(services, clock) -> None:
    """numberReserve holds expire after 15 minutes: set the clock past that and tick."""
    from resolvers.number_holds import reserve
    from tests.api.test_number_holds import fresh_numbers
    from tests.conftest import make_ctx

    _, numbers = await fresh_numbers(1)
    start = hall_now()
    clock.set(start)
    await reserve(make_ctx(services), "anon:" + secrets.token_hex(6), numbers[0], "k1", None)
    runner = JobRunner(services, {"number-holds-reap": JOBS["number-holds-reap"]})
    clock.set(start + timedelta(minutes=16))
    runs = await runner.tick()
    assert len(runs) == 1 and runs[0].counts["returned"] >= 1
    assert runs[0].scheduled_for <= start + timedelta(minutes=16)


def test_the_calendar_slots_of_the_business_jobs() -> None:
    first = datetime(2027, 3, 1, tzinfo=SHANGHAI)
    billing = JOBS["billing-close"].schedule
    assert billing.due(first + timedelta(minutes=30)) is None  # before 01:00 on the 1st
    slot = as_utc(first + timedelta(hours=1))
    assert billing.due(first + timedelta(hours=2)) == slot
    assert billing.due(first + timedelta(days=2, hours=20)) == slot  # still caught up on day 3
    assert billing.due(first + timedelta(days=4)) is None  # too late: not re-run on day 5
    changes = JOBS["plan-changes"].schedule
    assert changes.due(first + timedelta(seconds=1)) == as_utc(first)
    leap = datetime(2028, 2, 29, 0, 6, tzinfo=SHANGHAI)
    assert JOBS["points-expire"].schedule.due(leap) == as_utc(leap.replace(minute=0))


def test_latest_due_picks_the_last_fire_within_the_window() -> None:
    step = timedelta(minutes=10)
    epoch = datetime(2027, 1, 1, tzinfo=UTC)

    def every_ten(at: datetime) -> datetime:
        n = -(-(at - epoch) // step)
        return epoch + n * step

    at = epoch + timedelta(minutes=35)
    assert latest_due(every_ten, at, timedelta(minutes=20)) == epoch + timedelta(minutes=30)
    assert latest_due(every_ten, at, timedelta(minutes=4)) is None
    assert latest_due(every_ten, epoch + step, timedelta(0)) == epoch + step
