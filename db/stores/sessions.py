"""Opaque bearer tokens with a sliding idle expiry. Reading a session renews it in the same script,
and each subject keeps a set of its tokens so a password change can revoke them all."""

from __future__ import annotations

import secrets
from datetime import timedelta

from db.stores.base import Store
from domain.accounts import StaffRole
from domain.clock import Clock
from domain.sessions import Scope, Session

# KEYS: session. ARGV: idle seconds
TOUCH = """
local data = redis.call('HGETALL', KEYS[1])
if #data == 0 then return nil end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return data
"""


class SessionStore(Store):
    def __init__(self, redis, prefix: str, idle_seconds: int, clock: Clock) -> None:
        super().__init__(redis, prefix)
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._touch = redis.register_script(TOUCH)

    def _subject_key(self, scope: Scope, subject_id: int) -> str:
        kind = "staff" if scope is Scope.STAFF else "sub"
        return self.key("subject-sessions", kind, subject_id)

    async def create(
        self, scope: Scope, subject_id: int, name: str, role: StaffRole | None = None
    ) -> Session:
        token = secrets.token_urlsafe(32)
        fields = {"scope": scope.value, "subject": subject_id, "name": name, "role": role or ""}
        subject_key = self._subject_key(scope, subject_id)
        # Not one MULTI: the token's key and the subject's set live in different Redis Cluster
        # slots. The set is written first, so a revoke-all never misses a usable token.
        pipe = self.redis.pipeline(transaction=False)
        pipe.sadd(subject_key, token)
        pipe.expire(subject_key, 7 * 86400)
        pipe.hset(self.key("session", token), mapping=fields)
        pipe.expire(self.key("session", token), self.idle_seconds)
        await pipe.execute()
        return self._session(token, fields)

    async def resolve(self, token: str) -> Session | None:
        if not token or len(token) > 128:
            return None
        raw = await self._touch(keys=[self.key("session", token)], args=[self.idle_seconds])
        return self.session_of(token, raw)

    @property
    def touch_sha(self) -> str:
        return self._touch.sha

    def session_of(self, token: str, raw) -> Session | None:
        """The session from the TOUCH script's answer (a flat field list, or nil)."""
        if not raw:
            return None
        return self._session(token, dict(zip(raw[::2], raw[1::2], strict=True)))

    async def revoke(self, token: str) -> None:
        await self.redis.delete(self.key("session", token))

    async def revoke_all(self, scope: Scope, subject_id: int, keep: str | None = None) -> None:
        subject_key = self._subject_key(scope, subject_id)
        tokens = [t for t in await self.redis.smembers(subject_key) if t != keep]
        if tokens:
            await self.redis.delete(*(self.key("session", t) for t in tokens))
            await self.redis.srem(subject_key, *tokens)

    def _session(self, token: str, fields: dict) -> Session:
        role = fields.get("role") or None
        return Session(
            token=token,
            scope=Scope(fields["scope"]),
            subject_id=int(fields["subject"]),
            name=str(fields["name"]),
            role=StaffRole(role) if role else None,
            expires_at=self.clock.now() + timedelta(seconds=self.idle_seconds),
        )
