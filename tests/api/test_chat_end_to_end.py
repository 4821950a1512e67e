"""A conversation end to end over real websockets on two servers (two workers, each with its
own Redis client): the bot answers from the customer's data, "转人工" queues it, the agent on
the other worker accepts and replies, the customer sees it live, the agent closes, the customer
rates once."""

from __future__ import annotations

import asyncio
import json

import httpx
import uvicorn
import websockets

from server.app import create_app
from server.resources import build_services
from tests.api.service_helpers import agent_token, next_message, subscribe_ws
from tests.conftest import subscribe

PORTS = (8131, 8132)
FEED = """subscription($id: ID!) { chatMessages(conversationId: $id) { sender text articleIds } }"""
START = "mutation { chatStart { conversation { id status } userErrors { code } } }"
SEND = """mutation($id: ID!, $text: String!) { chatSend(conversationId: $id, text: $text) {
  message { id } userErrors { code field } } }"""
CONV = """query($id: ID!) { conversation(id: $id) { status queuePosition estimatedWaitSeconds
  agent rating { stars tags } } }"""


async def _serve(app, port):
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    return server, task


async def _ws(port, token, in_header=True):
    """The token in the Authorization header, or (as browsers must) in connection_init."""
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"],
        additional_headers={"authorization": f"Bearer {token}"} if in_header else {},
    )  # fmt: skip
    init: dict = {"type": "connection_init"}
    if not in_header:
        init["payload"] = {"authorization": f"Bearer {token}"}
    await ws.send(json.dumps(init))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def test_bot_hand_off_agent_reply_on_another_worker_close_and_rate(
    api, settings, services, session_clock
):
    customer = await subscribe(services, balance_fen=12_345)
    agent, agent_tok = await agent_token(services)
    other = build_services(settings, settings.redis_url or "", session_clock)
    servers = [
        await _serve(create_app(settings, services), PORTS[0]),
        await _serve(create_app(settings, other), PORTS[1]),
    ]
    try:
        me = api.as_(customer.token)
        conv = (await me.data(START))["chatStart"]["conversation"]
        assert conv["status"] == "BOT"
        customer_ws = await _ws(PORTS[0], customer.token)
        await subscribe_ws(customer_ws, "1", FEED, id=conv["id"])
        await asyncio.sleep(0.2)  # the SUBSCRIBE reaches Redis

        await me.data(SEND, id=conv["id"], text="我的话费余额还剩多少")
        assert (await next_message(customer_ws))["sender"] == "CUSTOMER"
        answer = await asyncio.wait_for(next_message(customer_ws), 5)
        assert answer["sender"] == "BOT" and "123.45元" in answer["text"], answer

        await me.data(SEND, id=conv["id"], text="转人工")
        await next_message(customer_ws)
        queued = await asyncio.wait_for(next_message(customer_ws), 5)
        assert queued["sender"] == "SYSTEM" and "人工客服" in queued["text"]
        state = (await me.data(CONV, id=conv["id"]))["conversation"]
        assert state["status"] == "QUEUED" and state["queuePosition"] >= 1
        assert state["estimatedWaitSeconds"] > 0

        staff = api.as_(agent_tok)
        waiting = await staff.data("query { agentQueue(first: 100) { nodes { id } } }")
        assert conv["id"] in [n["id"] for n in waiting["agentQueue"]["nodes"]]
        agent_ws = await _ws(
            PORTS[1], agent_tok, in_header=False
        )  # the agent is on the other worker
        await subscribe_ws(agent_ws, "2", FEED, id=conv["id"])
        await asyncio.sleep(0.2)
        accepted = await staff.data(
            "mutation($id: ID!) { chatAccept(conversationId: $id) { conversation { status agent }"
            " userErrors { code } } }",
            id=conv["id"],
        )
        assert accepted["chatAccept"]["conversation"] == {"status": "AGENT", "agent": agent}
        await asyncio.wait_for(next_message(customer_ws), 5)  # "…为您服务"

        # the agent posts through the second worker; the customer hears it on the first
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORTS[1]}") as worker2:
            sent = await worker2.post(
                "/graphql",
                json={"query": SEND, "variables": {"id": conv["id"], "text": "您好，我来帮您查"}},
                headers={"authorization": f"Bearer {agent_tok}"},
            )
        assert sent.json()["data"]["chatSend"]["userErrors"] == []
        heard = await asyncio.wait_for(next_message(customer_ws), 5)
        assert heard == {"sender": "AGENT", "text": "您好，我来帮您查", "articleIds": []}
        seen_by_agent = [await asyncio.wait_for(next_message(agent_ws), 5) for _ in range(2)]
        assert seen_by_agent[-1]["sender"] == "AGENT"

        closed = await staff.data(
            "mutation($id: ID!) { chatClose(conversationId: $id) { conversation { status } } }",
            id=conv["id"],
        )
        assert closed["chatClose"]["conversation"]["status"] == "CLOSED"
        late = (await me.data(SEND, id=conv["id"], text="还在吗"))["chatSend"]
        assert late["userErrors"] == [{"code": "CONVERSATION_CLOSED", "field": None}]

        rate = """mutation($id: ID!) { chatRate(conversationId: $id, stars: 5, tags: ["FAST"],
          comment: "很快") { conversation { rating { stars tags } } userErrors { code } } }"""
        rated = (await me.data(rate, id=conv["id"]))["chatRate"]
        assert rated["conversation"]["rating"] == {"stars": 5, "tags": ["FAST"]}
        again = (await me.data(rate, id=conv["id"]))["chatRate"]
        assert again["userErrors"] == [{"code": "ALREADY_RATED"}]

        history = await me.data(
            "query($id: ID!) { chatHistory(conversationId: $id, first: 3) { nodes { sender }"
            " pageInfo { hasNextPage } } }",
            id=conv["id"],
        )
        assert history["chatHistory"]["nodes"][0]["sender"] == "BOT"  # the greeting
        assert history["chatHistory"]["pageInfo"]["hasNextPage"]
        await customer_ws.close()
        await agent_ws.close()
    finally:
        for server, task in servers:
            server.should_exit = True
            await task
        await other.stores.redis.aclose()
