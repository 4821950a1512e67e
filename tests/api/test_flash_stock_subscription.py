"""`flashSaleStock` over graphql-transport-ws on a real server socket: during a storm a client
receives a decreasing `remaining`, down to 0 / SOLD_OUT, at most 5 pushes a second."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from datetime import datetime, timedelta

import uvicorn
import websockets

from server.app import create_app
from tests.api.flash_helpers import create_sale
from tests.api.test_flash_storm import storm
from tests.conftest import subscribe

PORT = 8113
SUBSCRIPTION = """subscription($id: ID!) { flashSaleStock(id: $id) {
  flashSaleId remaining status } }"""


async def test_a_client_sees_the_stock_fall(api, settings, services, clock, marketing_token):
    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=40, perSubscriberLimit=2)
    buyers = [await subscribe(services) for _ in range(40)]
    clock.set(datetime.fromisoformat(sale["startsAt"]) + timedelta(seconds=1))
    config = uvicorn.Config(
        create_app(settings, services), host="127.0.0.1", port=PORT, log_level="warning",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        seen: list[tuple[float, dict]] = []
        async with websockets.connect(
            f"ws://127.0.0.1:{PORT}/graphql", subprotocols=["graphql-transport-ws"]
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({
                "id": "1", "type": "subscribe",
                "payload": {"query": SUBSCRIPTION, "variables": {"id": sale["id"]}},
            }))  # fmt: skip

            async def listen() -> None:
                while not seen or seen[-1][1]["remaining"] > 0:
                    message = json.loads(await ws.recv())
                    assert message["type"] == "next", message
                    seen.append((time.monotonic(), message["payload"]["data"]["flashSaleStock"]))

            listening = asyncio.create_task(listen())
            while not seen:
                await asyncio.sleep(0.01)
            await storm(api, buyers, sale["id"], 200, concurrency=4)
            await asyncio.wait_for(listening, timeout=5)
        values = [m["remaining"] for _, m in seen]
        assert values[0] == 40 and values[-1] == 0 and seen[-1][1]["status"] == "SOLD_OUT"
        assert all(a >= b for a, b in itertools.pairwise(values)), values
        assert len(values) >= 3, values  # it moved while the storm ran
        gaps = [b - a for (a, _), (b, _) in itertools.pairwise(seen[1:])]
        assert all(g >= 0.15 for g in gaps), gaps  # at most 5 a second (with scheduling slack)
    finally:
        server.should_exit = True
        await serving
