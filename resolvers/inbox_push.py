"""Live inbox pushes (the `notifications` subscription). Each process keeps one Redis pub/sub
connection for all the subscribers whose app is connected to it, and hands each message to
their websockets; publishing is a PUBLISH from whichever worker or job created the notice, so
any worker serves any subscriber. Notices deferred by quiet hours are published when due by
the `inbox-push` job. Kept apart from other live features (customer-service chat has its own)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import datetime

from db.models.engage import InboxNotification
from db.repositories import inbox_rows
from domain.sessions import Session
from resolvers.context import RequestContext, Services

POLL_SECONDS = 0.2
QUEUE_SIZE = 100


class InboxHub:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.watchers: dict[int, set[asyncio.Queue[int]]] = {}
        self.subscribed: set[int] = set()
        self.ready: dict[int, asyncio.Event] = {}
        self.reader: asyncio.Task | None = None

    async def watch(self, subscriber_id: int) -> AsyncIterator[int]:
        """Ids of the subscriber's notices as they are published, from when this is called."""
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.watchers.setdefault(subscriber_id, set()).add(queue)
        self.ready.setdefault(subscriber_id, asyncio.Event())
        if self.reader is None or self.reader.done():
            self.reader = asyncio.create_task(self._read())
        try:
            while True:
                yield await queue.get()
        finally:
            self.watchers[subscriber_id].discard(queue)
            if not self.watchers[subscriber_id]:
                del self.watchers[subscriber_id]

    async def until_listening(self, subscriber_id: int, timeout: float = 5.0) -> None:
        event = self.ready.setdefault(subscriber_id, asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout)

    async def _read(self) -> None:
        store = self.services.stores.inbox_push
        pubsub = None
        try:
            while self.watchers or self.subscribed:
                try:
                    if pubsub is None:
                        pubsub, self.subscribed = store.pubsub(), set()
                    await self._follow(pubsub)
                    if not self.subscribed:
                        await asyncio.sleep(POLL_SECONDS)
                        continue
                    message = await pubsub.get_message(timeout=POLL_SECONDS)
                except Exception:  # Redis away: start over shortly, the watchers stay
                    pubsub = await _closed(pubsub)
                    self.subscribed = set()
                    await asyncio.sleep(0.5)
                    continue
                if message and message.get("type") == "message":
                    self._dispatch(store.subscriber_of(message["channel"]), message["data"])
        finally:
            await _closed(pubsub)
            self.subscribed = set()

    async def _follow(self, pubsub) -> None:
        """Subscribe to newly watched channels, unsubscribe from abandoned ones (done here, in
        the one task that reads the connection)."""
        store = self.services.stores.inbox_push
        new = [s for s in self.watchers if s not in self.subscribed]
        gone = [s for s in self.subscribed if s not in self.watchers]
        if new:
            await pubsub.subscribe(*(store.channel(s) for s in new))
            self.subscribed.update(new)
            for s in new:
                self.ready.setdefault(s, asyncio.Event()).set()
        if gone:
            await pubsub.unsubscribe(*(store.channel(s) for s in gone))
            self.subscribed.difference_update(gone)
            for s in gone:
                self.ready.pop(s, None)

    def _dispatch(self, subscriber_id: int, data: str) -> None:
        try:
            notification_id = int(json.loads(data)["id"])
        except (ValueError, KeyError, TypeError):
            return
        for queue in self.watchers.get(subscriber_id, ()):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled client misses live pushes
                queue.put_nowait(notification_id)  # but still finds them in its inbox


async def _closed(pubsub):
    if pubsub is not None:
        with contextlib.suppress(Exception):
            await pubsub.aclose()
    return None


_hubs: dict[int, InboxHub] = {}


def hub(services: Services) -> InboxHub:
    """The process's one hub (per Services)."""
    found = _hubs.get(id(services))
    if found is None:
        found = _hubs[id(services)] = InboxHub(services)
    return found


async def subscription_session(ctx: RequestContext) -> Session | None:
    """The websocket's session: the handshake's Authorization header, or (browsers cannot set
    headers on a websocket) `authorization` in the connection_init payload."""
    if ctx.session is not None:
        return ctx.session
    params = getattr(ctx, "connection_params", None) or {}
    raw = str(params.get("authorization") or params.get("Authorization") or "")
    token = raw[7:].strip() if raw.lower().startswith("bearer ") else raw.strip()
    return await ctx.stores.sessions.resolve(token) if token else None


async def live_notifications(
    ctx: RequestContext, session: Session
) -> AsyncIterator[InboxNotification]:
    """The session's subscriber's notices as they are published. Ends (before handing over the
    next notice) once the session is revoked or has expired: an open socket is no way around
    `sessionRevoke` or a password change."""
    async for notification_id in hub(ctx.services).watch(session.subject_id):
        if not await ctx.stores.sessions.alive(session.token):
            return
        row = await InboxNotification.get_or_none(
            id=notification_id, subscriber_id=session.subject_id
        )
        if row is not None:
            yield row


async def publish_due(
    services: Services, now: datetime, batch: int = 1000, max_rounds: int = 1000
) -> int:
    """Publish every notice whose delivery time has come and that was not published yet, a
    claimed batch at a time (a claim is taken once, so two runners never publish one twice;
    a batch Redis did not take is given back for the next run)."""
    published = 0
    for _ in range(max_rounds):
        claimed = await inbox_rows.claim_due(now, batch)
        if not claimed:
            break
        try:
            await services.stores.inbox_push.publish_many(claimed)
        except BaseException:
            await inbox_rows.unclaim([i for i, _ in claimed])
            raise
        published += len(claimed)
    return published
