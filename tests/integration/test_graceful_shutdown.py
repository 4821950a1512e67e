"""SIGTERM to a real uvicorn process: the request in flight completes, no new connection is
taken, the job in progress finishes (and is recorded), then the pools close and the process
exits. /readyz says ready before, /healthz answers."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from db.models.jobs import JobRun
from domain.jobs import JobRunStatus


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(path, seconds: float, proc) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


async def test_sigterm_lets_the_slow_request_and_the_current_job_finish(
    settings, services, tmp_path
):
    port = _free_port()
    job = f"test-slow-job-{secrets.token_hex(3)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {
        "TELEHALL_ENV": "test",
        "TELEHALL_PORT": str(port),
        "TELEHALL_DATA_DIR": str(tmp_path),
        "TELEHALL_DATABASE_URL": settings.resolved_database_url,
        "TELEHALL_REDIS_URL": settings.redis_url,
        "TELEHALL_REDIS_PREFIX": settings.redis_prefix,
        "TELEHALL_JOBS_IN_PROCESS": "true",
        "TELEHALL_SHUTDOWN_GRACE_SECONDS": "15",
        "TELEHALL_SMS_SEND_SECONDS": "3600",  # this test is about the job, not the sender
        "TELEHALL_TEST_MARKERS": str(tmp_path),
        "TELEHALL_TEST_JOB": job,
        "TELEHALL_TEST_SLOW_SECONDS": "3",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.shutdown_app"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        ready = None
        while ready is None or ready.status_code != 200:
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, ready.text if ready else "no answer"
            try:
                ready = httpx.get(f"{base}/readyz", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready.json()["status"] == "ready"
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
