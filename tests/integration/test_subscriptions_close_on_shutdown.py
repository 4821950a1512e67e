"""SIGTERM to a real uvicorn process while a graphql-transport-ws subscription is open: the
client receives a WebSocket close frame with code 1012 (service restart), not a dropped TCP
connection (which a client sees as 1006, abnormal closure), and the process exits well within
its grace period.

Why 1012 and not 1001 (going away): a SIGTERM here is a deploy or a scale-down behind a load
balancer, and the hall is still there on the other workers; 1012 says "restarting, reconnect"
(RFC 6455 registry), which is what a client should do — resubscribe through the balancer, which
no longer routes to this worker. uvicorn sends 1012 on shutdown; this test holds it to that."""

from __future__ import annotations

import asyncio
import json
import signal
import time

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.api.flash_helpers import create_sale
from tests.integration.hall_process import start_hall

GRACE_SECONDS = 10
SUBSCRIPTION = "subscription($id: ID!) { flashSaleStock(id: $id) { flashSaleId remaining } }"


async def test_sigterm_closes_a_subscription_with_a_close_frame(
    api, settings, services, clock, marketing_token, tmp_path
):
    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=7)
    proc, base = start_hall(settings, tmp_path, TELEHALL_SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS))
    try:
        url = base.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({
                "id": "1", "type": "subscribe",
                "payload": {"query": SUBSCRIPTION, "variables": {"id": sale["id"]}},
            }))  # fmt: skip
            first = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert first["type"] == "next", first
            assert first["payload"]["data"]["flashSaleStock"]["remaining"] == 7

            proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            with pytest.raises(ConnectionClosed) as closed:
                while True:  # anything still in flight, then the close
                    await asyncio.wait_for(ws.recv(), GRACE_SECONDS)
        assert closed.value.rcvd is not None, "the TCP connection dropped without a close frame"
        assert closed.value.rcvd.code == 1012, closed.value.rcvd
        exit_code = await asyncio.to_thread(proc.wait, GRACE_SECONDS)
        elapsed = time.monotonic() - signalled
        # uvicorn re-raises the signal it handled once it has shut down cleanly
        assert exit_code in (0, -signal.SIGTERM)
        assert elapsed < GRACE_SECONDS / 2, f"took {elapsed:.1f} s: it waited for the grace"
    finally:
        if proc.poll() is None:
            proc.kill()
        output = proc.stdout.read()
    assert "database and Redis pools closed" in output, output[-3000:]
