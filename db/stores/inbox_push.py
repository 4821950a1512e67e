"""The live push of inbox notices: one Redis pub/sub channel per subscriber. Any worker may
publish and any worker holding the subscriber's websocket receives, so no sticky routing."""

from __future__ import annotations

import json

from db.stores.base import Store


class InboxPushStore(Store):
    def channel(self, subscriber_id: int) -> str:
        return self.key("inbox-push", subscriber_id)

    def subscriber_of(self, channel: str) -> int:
        return int(channel.rsplit(":", 1)[1])

    async def publish(self, subscriber_id: int, notification_id: int) -> int:
        """How many listeners (worker connections) got it."""
        message = json.dumps({"id": notification_id})
        return int(await self.redis.publish(self.channel(subscriber_id), message))

    async def publish_many(self, notices: list[tuple[int, int]]) -> None:
        """(notification id, subscriber id) pairs, in one round trip (a pipeline, not a
        transaction: on a cluster the channels live on several nodes)."""
        if not notices:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for notification_id, subscriber_id in notices:
                pipe.publish(self.channel(subscriber_id), json.dumps({"id": notification_id}))
            await pipe.execute()

    def pubsub(self):
        return self.redis.pubsub(ignore_subscribe_messages=True)
