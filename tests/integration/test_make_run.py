"""`make run` is `telehall serve --setup`: migrate, seed, embedded Redis, serve. Run that path on a
temporary data dir and query it like a frontend would."""

import os
import queue
import socket
import subprocess
import sys
import threading
import time

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_setup_on_a_fresh_data_dir(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {
        "TELEHALL_DATA_DIR": str(tmp_path / "data"),
        "TELEHALL_PORT": str(port),
        "TELEHALL_ENV": "dev",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--setup"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not any("ready: GraphQL" in x for x in seen):
            try:  # what `make run` tells its user once /readyz passes
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                assert proc.poll() is None, "".join(seen)
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": '{ dev { outbox(msisdn: "18600000001") { kind } } }'},
                    timeout=2,
                )
                body = response.json()
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.3)
        # the in-process jobs may already have queued a notice (points expiring in December)
        assert isinstance(body["data"]["dev"]["outbox"], list) and "errors" not in body
        captcha = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "mutation { captchaCreate { id userErrors { code } } }"},
        ).json()
        assert captcha["data"]["captchaCreate"]["userErrors"] == []
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
        assert {k: v["ok"] for k, v in ready.json()["checks"].items()} == {
            "database": True,
            "migrations": True,
            "redis": True,
            "flashStock": True,
        }
        assert (tmp_path / "data" / "telehall.sqlite3").exists()
        assert (tmp_path / "data" / "redis" / "redis.sock").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        time.sleep(0.5)  # the reader drains what is left
        while not lines.empty():
            seen.append(lines.get())
        output = "".join(seen)
    assert "18600000001" in output  # the demo accounts are printed on first start
    assert f"ready: GraphQL at http://127.0.0.1:{port}/graphql" in output  # from /readyz
    assert "job runner and SMS sender started in this worker" in output  # make run runs them
    sock = tmp_path / "data" / "redis" / "redis.sock"
    deadline = time.monotonic() + 10
    while sock.exists() and time.monotonic() < deadline:  # the embedded Redis dies with its parent
        time.sleep(0.1)
    assert not sock.exists()
