"""QR login: the web page holds a token, a logged-in app confirms it, the page's poll claims it
exactly once."""

from __future__ import annotations

import secrets

from db.stores.base import Store

# KEYS: qr. ARGV: subscriber id, msisdn
CONFIRM = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'EXPIRED' end
if state ~= 'PENDING' then return state end
redis.call('HSET', KEYS[1], 'state', 'CONFIRMED', 'subject', ARGV[1], 'name', ARGV[2])
return 'OK'
"""

# KEYS: qr. Returns {state, subject, name}; a confirmed token is claimed and deleted.
CLAIM = """
local data = redis.call('HMGET', KEYS[1], 'state', 'subject', 'name')
if not data[1] then return {'EXPIRED', '', ''} end
if data[1] == 'CONFIRMED' then redis.call('DEL', KEYS[1]) end
return {data[1], data[2] or '', data[3] or ''}
"""


class QrLoginStore(Store):
    def __init__(self, redis, prefix: str) -> None:
        super().__init__(redis, prefix)
        self._confirm = redis.register_script(CONFIRM)
        self._claim = redis.register_script(CLAIM)

    async def start(self, ttl_seconds: int) -> str:
        token = secrets.token_urlsafe(24)
        key = self.key("qr", token)
        await self.redis.hset(key, mapping={"state": "PENDING"})
        await self.redis.expire(key, ttl_seconds)
        return token

    async def confirm(self, token: str, subscriber_id: int, msisdn: str) -> str:
        return await self._confirm(keys=[self.key("qr", token)], args=[subscriber_id, msisdn])

    async def claim(self, token: str) -> tuple[str, int | None, str]:
        state, subject, name = await self._claim(keys=[self.key("qr", token)])
        return state, int(subject) if subject else None, name
