"""`telehall serve --workers 2` against the test database and Redis: state lives in Redis and the
database, never in one process, so a captcha made by one worker is answered on the other, a
session opened on one is honoured by the other, an SMS code sent by one logs in on the other,
a chat feed subscribed on one hears a message posted through the other, and a persisted query
registered on one is known to the other. Each step names the worker
that served it (`X-Worker-Pid`, dev/test only) and the test insists they differ."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets

from tests.api.auth_helpers import ANSWER, CAPTCHA, LOGIN, OUTBOX, SEND
from tests.api.service_helpers import next_message, subscribe_ws
from tests.conftest import TEST_PASSWORD, subscribe
from tests.hall_clock import now as hall_now

ROOT = Path(__file__).resolve().parents[2]
ME = "{ me { msisdn } }"
START = "mutation { chatStart { conversation { id } } }"
FEED = "subscription($id: ID!) { chatMessages(conversationId: $id) { sender text } }"
CHAT_SEND = """mutation($id: ID!, $text: String!) {
  chatSend(conversationId: $id, text: $text) { userErrors { code } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_workers(settings, services, tmp_path):
    """The real server with two uvicorn worker processes; its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEHALL_", "PROMETHEUS_"))}
    env |= {
        "TELEHALL_ENV": "test",
        "TELEHALL_DATA_DIR": str(tmp_path / "data"),
        "TELEHALL_DATABASE_URL": settings.resolved_database_url,
        "TELEHALL_REDIS_URL": settings.redis_url or "",
        "TELEHALL_REDIS_PREFIX": settings.redis_prefix,
        "TELEHALL_PORT": str(port),
        "TELEHALL_CLOCK_START": hall_now().isoformat(),
        "TELEHALL_ARGON2_TIME_COST": "1",
        "TELEHALL_ARGON2_MEMORY_KIB": "64",
        "TELEHALL_RATE_LIMIT_PER_MINUTE": "1000000",
        "TELEHALL_SHUTDOWN_GRACE_SECONDS": "2",
        "TELEHALL_LOG_LEVEL": "warning",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


async def worker(base: str, avoid: str | None = None) -> tuple[httpx.AsyncClient, str]:
    """A client whose one kept-alive connection is served by a worker other than `avoid`."""
    for _ in range(200):
        client = httpx.AsyncClient(
            base_url=base, limits=httpx.Limits(max_connections=1), timeout=10
        )
        pid = (await client.get("/healthz")).headers["x-worker-pid"]
        if pid != avoid:
            return client, pid
        await client.aclose()
    raise AssertionError(f"no second worker answered (only {avoid})")


async def websocket_on(base: str, pid: str, token: str):
    """A graphql-transport-ws connection accepted by the worker `pid`."""
    url = base.replace("http://", "ws://") + "/graphql"
    for _ in range(200):
        ws = await websockets.connect(
            url, subprotocols=["graphql-transport-ws"],
            additional_headers={"authorization": f"Bearer {token}"},
        )  # fmt: skip
        if ws.response.headers["x-worker-pid"] == pid:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            return ws
        await ws.close()
    raise AssertionError(f"worker {pid} accepted no websocket")


async def gql(client: httpx.AsyncClient, pid: str, query: str, token=None, **variables) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = {"query": query, "variables": variables}
    response = await client.post("/graphql", json=body, headers=headers)
    assert response.headers["x-worker-pid"] == pid  # still the same worker
    payload = response.json()
    assert not payload.get("errors"), payload
    return payload["data"]


async def test_one_hall_across_two_workers(two_workers, services):
    sub = await subscribe(services)
    one, pid_one = await worker(two_workers)
    two, pid_two = await worker(two_workers, avoid=pid_one)
    assert pid_one != pid_two
    try:
        # password login: the captcha made on one worker, answered and used on the other
        captcha = (await gql(one, pid_one, CAPTCHA))["captchaCreate"]["id"]
        answer = (await gql(two, pid_two, ANSWER, id=captcha))["dev"]["captchaAnswer"]
        login = await gql(
            two, pid_two, LOGIN, m=sub.msisdn, method="PASSWORD", s=TEST_PASSWORD,
            cid=captcha, ca=answer,
        )  # fmt: skip
        token = login["authLogin"]["session"]["token"]
        assert (await gql(one, pid_one, ME, token))["me"]["msisdn"] == sub.msisdn

        # SMS code: sent by one worker, logs in on the other
        await gql(one, pid_one, SEND, m=sub.msisdn, p="LOGIN")
        text = (await gql(two, pid_two, OUTBOX, m=sub.msisdn))["dev"]["outbox"][0]["text"]
        code = re.search(r"(?<!\d)\d{6}(?!\d)", text).group()
        by_sms = await gql(two, pid_two, LOGIN, m=sub.msisdn, method="SMS_CODE", s=code)
        assert by_sms["authLogin"]["session"]["scope"] == "FULL"
        sms_token = by_sms["authLogin"]["session"]["token"]
        assert (await gql(one, pid_one, ME, sms_token))["me"]["msisdn"] == sub.msisdn

        # a live chat feed subscribed on one worker hears a message posted on the other
        conversation = (await gql(one, pid_one, START, token))["chatStart"]["conversation"]["id"]
        feed = await websocket_on(two_workers, pid_one, token)
        try:
            await subscribe_ws(feed, "1", FEED, id=conversation)
            await asyncio.sleep(0.2)  # the SUBSCRIBE reaches Redis
            await gql(two, pid_two, CHAT_SEND, token, id=conversation, text="你好")
            heard = await asyncio.wait_for(next_message(feed), 5)
            assert heard == {"sender": "CUSTOMER", "text": "你好"}
        finally:
            await feed.close()

        # a persisted query registered on one worker is a hit on the other
        query = "query WorkerPlans { catalog { plans { id } } }"
        sha = hashlib.sha256(query.encode()).hexdigest()
        apq = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
        await one.post("/graphql", json={"query": query, "extensions": apq})
        hit = await two.post("/graphql", json={"extensions": apq})
        assert hit.headers["x-worker-pid"] == pid_two and hit.json()["data"]["catalog"]["plans"]
    finally:
        await one.aclose()
        await two.aclose()


async def _pids_of_connections(base: str, count: int) -> list[str]:
    """The worker serving each of `count` keep-alive connections opened at once."""
    clients = [
        httpx.AsyncClient(base_url=base, limits=httpx.Limits(max_connections=1), timeout=10)
        for _ in range(count)
    ]
    try:
        answers = await asyncio.gather(*(c.get("/healthz") for c in clients))
        return [a.headers["x-worker-pid"] for a in answers]
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


async def test_connections_opened_together_are_spread_over_the_workers(two_workers):
    # one listening socket shared by both workers gave bursts like 16/0 and 15/1; a socket per
    # worker (SO_REUSEPORT) leaves the kernel to spread them (all 16 on one: 1 in 32,768)
    pids = await _pids_of_connections(two_workers, 16)
    assert len(set(pids)) == 2, pids


async def test_a_worker_that_dies_is_replaced_and_the_hall_keeps_answering(two_workers):
    first = set(await _pids_of_connections(two_workers, 16))
    victim = sorted(first)[0]
    os.kill(int(victim), 9)
    deadline = time.monotonic() + 30
    while True:
        try:
            seen = set(await _pids_of_connections(two_workers, 16))
        except httpx.TransportError:  # the dead worker's queued connections are reset
            seen = set()
        if len(seen) == 2 and victim not in seen:
            break
        assert time.monotonic() < deadline, f"no replacement for worker {victim}: {seen}"
        await asyncio.sleep(0.3)


def _serve_on(port: int, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {
        "TELEHALL_ENV": "test",
        "TELEHALL_DATA_DIR": str(tmp_path),
        "TELEHALL_PORT": str(port),
        "TELEHALL_REDIS_URL": "redis://127.0.0.1:1/0",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "server", "serve", "--workers", "2"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_serve_on_a_port_in_use_fails_at_once_with_a_clear_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = _serve_on(taken.getsockname()[1], tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "cannot bind" in done.stderr + done.stdout


def test_a_second_hall_on_the_same_port_is_refused_not_sharing_it(two_workers, tmp_path):
    # both would bind with SO_REUSEPORT; the second must not quietly take half the connections
    done = _serve_on(int(two_workers.rsplit(":", 1)[1]), tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "cannot bind" in done.stderr + done.stdout


def test_workers_whose_app_cannot_start_stop_the_hall_rather_than_restart_forever(tmp_path):
    # no database answers there: every worker's start-up fails, and would fail again
    done = _serve_on(free_port(), tmp_path, TELEHALL_DATABASE_URL="postgres://nobody@127.0.0.1:1/x")
    assert done.returncode == 3, done.stderr[-2000:]
    assert "failed to start" in done.stderr + done.stdout
