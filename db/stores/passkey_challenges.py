"""WebAuthn challenges: single-use (taken with GET and DEL in one script, so two finishes of
one ceremony cannot both see it) and short-lived (the key's own expiry)."""

from __future__ import annotations

import json
import secrets

from db.stores.base import Store

# KEYS: challenge
TAKE = """
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value
"""


class PasskeyChallengeStore(Store):
    def __init__(self, redis, prefix: str) -> None:
        super().__init__(redis, prefix)
        self._take = redis.register_script(TAKE)

    async def put(self, payload: dict, ttl_seconds: int) -> str:
        challenge_id = secrets.token_urlsafe(18)
        await self.redis.set(
            self.key("passkey-challenge", challenge_id), json.dumps(payload), ex=ttl_seconds
        )
        return challenge_id

    async def take(self, challenge_id: str) -> dict | None:
        if not challenge_id or len(challenge_id) > 64:
            return None
        raw = await self._take(keys=[self.key("passkey-challenge", challenge_id)])
        return json.loads(raw) if raw else None
