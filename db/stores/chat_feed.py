"""Chat messages fanned out through Redis pub/sub, so the customer and the agent may be served
by different workers. Delivery is best effort (pub/sub keeps nothing): the history in the
database is the record, a client that reconnects reads it first."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from db.stores.base import Store


class ChatFeedStore(Store):
    def channel(self, conversation_id: str) -> str:
        return self.key("chat", conversation_id)

    async def publish(self, conversation_id: str, message: dict[str, Any]) -> None:
        await self.redis.publish(self.channel(conversation_id), json.dumps(message))

    async def listen(self, conversation_id: str) -> AsyncIterator[dict[str, Any]]:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(self.channel(conversation_id))
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield json.loads(message["data"])
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()
