"""The app inbox: paging, unreadOnly, marking read (only one's own), deferred notices hidden
until delivered, and the live `notifications` subscription reaching a websocket client served
by another worker (its own hub and pub/sub connection; only Redis links the two)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import timedelta

import uvicorn
import websockets

from db.models.engage import InboxNotification
from db.stores.sessions import session_id
from domain.sessions import Scope
from resolvers.inbox_push import hub, publish_due
from server.app import create_app
from tests.api.test_sessions_api import REVOKE
from tests.conftest import subscribe

PORT = 8127
PAGE = """query($first: Int, $after: String, $u: Boolean!) { me { unreadNotifications
  notifications(first: $first, after: $after, unreadOnly: $u) {
    nodes { id topic title readAt } pageInfo { hasNextPage endCursor } } } }"""
MARK = """mutation($ids: [ID!]!) { notificationMarkRead(input: {ids: $ids}) {
  marked unread userErrors { code } } }"""
LIVE = "subscription { notifications { id topic title body } }"


async def notice(sub, at, n: int, **kw) -> InboxNotification:
    return await InboxNotification.create(
        subscriber_id=sub.id,
        topic=kw.get("topic", "PLANS"),
        source=f"TEST:{sub.id}:{n}",
        title=f"第{n}条",
        body="内容",
        created_at=at,
        deliver_at=kw.get("deliver_at", at),
    )


async def test_inbox_pages_and_marks_read(api, services, clock):
    now = clock.now()
    clock.set(now)
    sub, other = await subscribe(services), await subscribe(services)
    await InboxNotification.filter(subscriber_id=sub.id).delete()  # the welcome notice
    rows = [await notice(sub, now - timedelta(minutes=10 - i), i) for i in range(5)]
    later = await notice(sub, now, 99, deliver_at=now + timedelta(hours=3))  # quiet hours
    theirs = await notice(other, now, 1)

    me = (await api.as_(sub.token).data(PAGE, first=3, u=False))["me"]
    assert me["unreadNotifications"] == 5
    page = me["notifications"]
    assert [n["title"] for n in page["nodes"]] == ["第4条", "第3条", "第2条"]
    assert page["pageInfo"]["hasNextPage"]
    rest = await api.as_(sub.token).data(
        PAGE, first=3, after=page["pageInfo"]["endCursor"], u=False
    )
    assert [n["title"] for n in rest["me"]["notifications"]["nodes"]] == ["第1条", "第0条"]

    ids = [str(rows[4].id), str(rows[3].id), str(theirs.id), str(later.id)]
    marked = (await api.as_(sub.token).data(MARK, ids=ids))["notificationMarkRead"]
    assert marked == {"marked": 3, "unread": 3, "userErrors": []}  # later: not delivered, yet own
    again = (await api.as_(sub.token).data(MARK, ids=ids))["notificationMarkRead"]
    assert again["marked"] == 0
    assert (await InboxNotification.get(id=theirs.id)).read_at is None
    unread = (await api.as_(sub.token).data(PAGE, first=10, u=True))["me"]["notifications"]
    assert [n["title"] for n in unread["nodes"]] == ["第2条", "第1条", "第0条"]

    clock.set(now + timedelta(hours=3))
    me = (await api.as_(sub.token).data(PAGE, first=1, u=False))["me"]
    assert me["notifications"]["nodes"][0]["title"] == "第99条"

    bad = (await api.as_(sub.token).data(MARK, ids=["x"]))["notificationMarkRead"]
    assert bad["userErrors"] == [{"code": "INVALID_ARGUMENT"}]


async def test_a_notice_reaches_a_websocket_on_another_worker(settings, services, clock):
    now = clock.now()
    clock.set(now)
    sub, other = await subscribe(services), await subscribe(services)
    worker = dataclasses.replace(services)  # another worker: its own hub, same Redis and DB
    config = uvicorn.Config(
        create_app(settings, worker), host="127.0.0.1", port=PORT, log_level="warning",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        async with websockets.connect(
            f"ws://127.0.0.1:{PORT}/graphql", subprotocols=["graphql-transport-ws"]
        ) as ws:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {sub.token}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": LIVE}}))
            await hub(worker).until_listening(sub.id)
            assert hub(worker) is not hub(services)
            await notice(other, now, 1)  # someone else's: never shown to this socket
            mine = await notice(sub, now, 2, topic="FLASH_SALES")
            deferred = await notice(sub, now, 3, deliver_at=now + timedelta(hours=1))
            assert await publish_due(services, now) >= 2  # published by this process
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
            assert message["type"] == "next", message
            got = message["payload"]["data"]["notifications"]
            assert got == {
                "id": str(mine.id),
                "topic": "FLASH_SALES",
                "title": "第2条",
                "body": "内容",
            }
            assert await publish_due(services, now) == 0  # each published once
            clock.set(now + timedelta(hours=1))
            assert await publish_due(services, clock.now()) >= 1
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
            assert message["payload"]["data"]["notifications"]["id"] == str(deferred.id)
    finally:
        server.should_exit = True
        await serving


async def test_subscription_needs_a_subscriber_session(settings, services):
    config = uvicorn.Config(
        create_app(settings, services), host="127.0.0.1", port=PORT + 1, log_level="warning",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        async with websockets.connect(
            f"ws://127.0.0.1:{PORT + 1}/graphql", subprotocols=["graphql-transport-ws"]
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": LIVE}}))
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
            # an error raised by the resolver arrives as a result carrying errors, no data
            assert message["type"] == "next", message
            assert message["payload"]["data"] is None
            assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        server.should_exit = True
        await serving


async def test_a_revoked_session_stops_its_open_live_stream_at_once(api, settings, services, clock):
    """sessionRevoke (or a password change) ends what the token could see, an open websocket
    included: the next notice is not handed over, the stream ends UNAUTHENTICATED."""
    now = clock.now()
    clock.set(now)
    sub = await subscribe(services)
    phone = await services.stores.sessions.create(Scope.FULL, sub.id, sub.msisdn)
    config = uvicorn.Config(
        create_app(settings, services), host="127.0.0.1", port=PORT + 2, log_level="warning",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        async with websockets.connect(
            f"ws://127.0.0.1:{PORT + 2}/graphql", subprotocols=["graphql-transport-ws"]
        ) as ws:
            init = {
                "type": "connection_init",
                "payload": {"authorization": f"Bearer {phone.token}"},
            }
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": LIVE}}))
            await hub(services).until_listening(sub.id)
            first = await notice(sub, now, 1)
            await publish_due(services, now)
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
            assert message["payload"]["data"]["notifications"]["id"] == str(first.id)

            revoked = (await api.as_(sub.token).data(REVOKE, id=session_id(phone.token)))[
                "sessionRevoke"
            ]
            assert revoked["userErrors"] == []
            secret = await notice(sub, now, 2)
            await publish_due(services, now)
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
            assert str(secret.id) not in json.dumps(message)
            assert message["payload"]["data"] is None
            assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        server.should_exit = True
        await serving
