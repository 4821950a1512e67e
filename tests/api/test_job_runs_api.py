"""jobRuns (OPERATOR): the record of the runs, newest first, paged; nobody else reads it. And the
command line: `telehall jobs list` and `telehall jobs run NAME` against the test database."""

from __future__ import annotations

import os
import subprocess
import sys

from db.models.jobs import JobRun
from resolvers.jobs.runner import JobRunner
from tests.api.promo_helpers import error_codes
from tests.integration.test_jobs import counting_job, hours_ahead, unique

RUNS = """
query($first: Int, $after: String, $name: String) {
  jobRuns(first: $first, after: $after, name: $name) {
    nodes { name scheduledFor attempt trigger status worker durationMs counts { name value } error }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_operators_page_through_the_runs_of_a_job(
    api, services, clock, operator_token, marketing_token, subscriber
):
    at = hours_ahead()
    calls: list = []
    name = unique("api")
    runner = JobRunner(services, {name: counting_job(name, calls)}, "host-a:1")
    for hour in (0, 1, 2):
        clock.set(at(60 * hour + 5))
        await runner.tick()
    operator = api.as_(operator_token)
    page = (await operator.data(RUNS, first=2, name=name))["jobRuns"]
    assert [n["scheduledFor"] for n in page["nodes"]] == [
        at(120).isoformat(),
        at(60).isoformat(),
    ]
    node = page["nodes"][0]
    assert node["status"] == "SUCCEEDED" and node["trigger"] == "SCHEDULE"
    assert node["worker"] == "host-a:1" and node["counts"] == [{"name": "done", "value": 3}]
    assert node["durationMs"] >= 0 and node["error"] is None
    rest = await operator.data(RUNS, first=2, after=page["pageInfo"]["endCursor"], name=name)
    assert [n["scheduledFor"] for n in rest["jobRuns"]["nodes"]] == [at(0).isoformat()]
    assert not rest["jobRuns"]["pageInfo"]["hasNextPage"]
    for token, code in (
        (None, "UNAUTHENTICATED"),
        (subscriber.token, "FORBIDDEN"),
        (marketing_token, "FORBIDDEN"),
    ):
        body = await api.as_(token)(RUNS, first=1)
        assert error_codes(body) == {code} and body["data"] is None
    assert error_codes(await operator(RUNS, first=-1)) == {"INVALID_ARGUMENT"}


async def test_jobs_list_and_run_from_the_command_line(settings, services) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {
        "TELEHALL_ENV": "test",
        "TELEHALL_DATA_DIR": str(settings.data_dir),
        "TELEHALL_DATABASE_URL": settings.resolved_database_url,
        "TELEHALL_REDIS_URL": settings.redis_url,
        "TELEHALL_REDIS_PREFIX": settings.redis_prefix,
        "COLUMNS": "250",
    }

    def telehall(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "server", *args], env=env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip

    ran = telehall("jobs", "run", "number-holds-reap")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "number-holds-reap SUCCEEDED returned" in ran.stdout
    listed = telehall("jobs", "list")
    assert listed.returncode == 0, listed.stderr
    for job in ("billing-close", "plan-changes", "sms-outbox", "points-expire", "auto-recharge"):
        assert job in listed.stdout
    assert "SUCCEEDED" in listed.stdout  # number-holds-reap's last run
    unknown = telehall("jobs", "run", "no-such-job")
    assert unknown.returncode == 2 and "billing-close" in unknown.stdout
    assert await JobRun.filter(name="number-holds-reap", trigger="MANUAL").exists()
