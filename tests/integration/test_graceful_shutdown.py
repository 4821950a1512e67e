"""SIGTERM to a real uvicorn process: the request in flight completes, no new connection is
taken, the job in progress finishes (and is recorded), then the pools close and the process
exits. /readyz says ready before, /healthz answers."""

from __future__ import annotations

import secrets
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from db.models.jobs import JobRun
from domain.jobs import JobRunStatus
from tests.integration.hall_process import start_hall


def _wait_for(path, seconds: float, proc) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


async def test_sigterm_lets_the_slow_request_and_the_current_job_finish(
    settings, services, tmp_path
):
    job = f"test-slow-job-{secrets.token_hex(3)}"
    proc, base = start_hall(
        settings,
        tmp_path,
        TELEHALL_JOBS_IN_PROCESS="true",
        TELEHALL_SHUTDOWN_GRACE_SECONDS="15",
        TELEHALL_SMS_SEND_SECONDS="3600",  # this test is about the job, not the sender
        TELEHALL_TEST_JOB=job,
        TELEHALL_TEST_SLOW_SECONDS="3",
    )
    try:
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        _wait_for(tmp_path / "job-started", 30, proc)
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(httpx.get, f"{base}/slow", timeout=30)
            _wait_for(tmp_path / "request-started", 10, proc)
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            refused = False
            try:
                httpx.get(f"{base}/healthz", timeout=1)
            except httpx.TransportError:
                refused = True
            response = slow.result(timeout=30)
        assert response.status_code == 200 and response.text == "done"
        assert refused, "a new connection was accepted after SIGTERM"
        # uvicorn re-raises the signal it handled once it has shut down cleanly (exit by SIGTERM)
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
        output = proc.stdout.read()
    assert (tmp_path / "job-finished").exists(), output
    assert "job runner stopped after its current job" in output
    assert "database and Redis pools closed" in output
    (run,) = await JobRun.filter(name=job)
    assert run.status is JobRunStatus.SUCCEEDED and run.counts == {"slept": 3}
