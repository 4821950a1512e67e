"""Image captcha answers: single-use (GETDEL on any attempt), short-lived, case-sensitive."""

from __future__ import annotations

import secrets
from datetime import datetime

from db.stores.base import Store


class CaptchaStore(Store):
    async def put(self, answer: str, ttl_seconds: int, now: datetime) -> str:
        # The id carries its birth time so an unknown id can be told apart: expired or never valid.
        captcha_id = f"{int(now.timestamp() * 1000):x}.{secrets.token_urlsafe(12)}"
        await self.redis.set(self.key("captcha", captcha_id), answer, ex=ttl_seconds)
        return captcha_id

    async def take(self, captcha_id: str) -> str | None:
        return await self.redis.getdel(self.key("captcha", captcha_id))

    async def peek(self, captcha_id: str) -> str | None:
        """Dev/test only: read the answer without using it up."""
        return await self.redis.get(self.key("captcha", captcha_id))

    @staticmethod
    def born_ms(captcha_id: str) -> int | None:
        try:
            return int(captcha_id.split(".", 1)[0], 16)
        except ValueError:
            return None
