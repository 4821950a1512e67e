"""The hall (tests/integration/shutdown_app.py) as a real uvicorn process on a free local port,
against the test session's database and Redis, for the tests that send it SIGTERM."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from server.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_hall(
    settings: Settings, data_dir: Path, **env_extra: str
) -> tuple[subprocess.Popen, str]:
    """Started and ready (/readyz 200): the process (stdout and stderr in one text pipe) and
    its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {
        "TELEHALL_ENV": "test",
        "TELEHALL_PORT": str(port),
        "TELEHALL_DATA_DIR": str(data_dir),
        "TELEHALL_DATABASE_URL": settings.resolved_database_url,
        "TELEHALL_REDIS_URL": settings.redis_url or "",
        "TELEHALL_REDIS_PREFIX": settings.redis_prefix,
        "TELEHALL_TEST_MARKERS": str(data_dir),
    } | env_extra
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
    except BaseException:
        proc.kill()
        raise
    return proc, base
