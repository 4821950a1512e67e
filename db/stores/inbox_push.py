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

    def pubsub(self):
        return self.redis.pubsub(ignore_subscribe_messages=True)
