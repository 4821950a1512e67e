"""Single-use nonces (webhook replay protection): the first claim wins, later ones are replays."""

from __future__ import annotations

from db.stores.base import Store


class NonceStore(Store):
    async def claim(self, scope: str, nonce: str, ttl_seconds: int) -> bool:
        return bool(
            await self.redis.set(self.key("nonce", scope, nonce), "1", nx=True, ex=ttl_seconds)
        )
