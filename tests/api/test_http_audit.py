"""The GraphQL-over-HTTP audit suite (graphql-http's `serverAudits`, pinned in tests/http_audit
and installed by scripts/install-http-audit.sh) against the real app on a real socket: every
audit ok, not one warning."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from pathlib import Path

import pytest
import uvicorn

from server.app import create_app

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "scripts" / "install-http-audit.sh"


def audit_dir() -> Path:
    done = subprocess.run(
        ["bash", str(INSTALLER)], capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0 or not done.stdout.strip():
        pytest.skip(f"the audit suite could not be installed: {done.stderr.strip()[-300:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_the_graphql_over_http_audit_passes_without_a_warning(settings, services):
    directory = audit_dir()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, services),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        node = await asyncio.create_subprocess_exec(
            "node", "audit.mjs", f"http://127.0.0.1:{port}/graphql",
            cwd=directory, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(node.communicate(), 120)
    finally:
        server.should_exit = True
        await serving
    assert node.returncode == 0, err.decode()[-2000:]
    results = json.loads(out)
    assert len(results) > 50  # the whole suite ran
    not_ok = [
        f"{r['status']}: {r['name']} ({r.get('reason')})" for r in results if r["status"] != "ok"
    ]
    assert not_ok == [], "\n".join(not_ok)
