"""`telehall jobs worker` on a database of its own: it runs the due jobs of the registry (each
recorded), and SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time


def test_the_worker_runs_due_jobs_and_stops_on_sigterm(settings, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {
        "TELEHALL_ENV": "test",
        "TELEHALL_DATA_DIR": str(tmp_path),  # a fresh SQLite database: nobody else's data
        "TELEHALL_REDIS_URL": settings.redis_url,
        "TELEHALL_REDIS_PREFIX": f"{settings.redis_prefix}worker-{secrets.token_hex(3)}:",
        "TELEHALL_JOBS_TICK_SECONDS": "1",
    }
    migrate = subprocess.run(
        [sys.executable, "-m", "server", "migrate"], env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "jobs", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    database = tmp_path / "telehall.sqlite3"
    try:
        deadline = time.monotonic() + 60
        done: set[str] = set()
        while not {"sms-outbox", "number-holds-reap", "campaign-caps-sweep"} <= done:
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, done
            time.sleep(0.5)
            with sqlite3.connect(database) as db:
                done = {
                    name
                    for (name,) in db.execute("SELECT name FROM job_run WHERE status='SUCCEEDED'")
                }
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    output = proc.stdout.read()
    assert "job runner started" in output and "job runner stopped" in output
    with sqlite3.connect(database) as db:
        running = db.execute("SELECT count(*) FROM job_run WHERE status='RUNNING'").fetchone()[0]
    assert running == 0  # stopped after the current job, never in the middle of one
