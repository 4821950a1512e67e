"""Opaque bearer tokens with a sliding idle expiry. Reading a session renews it in the same script,
and each subject keeps a set of its tokens so a password change can revoke them all."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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


def session_id(token: str) -> str:
    """The public id of a session: shown in `me.sessions` and given to `sessionRevoke`, it names
    the session without being a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class SessionInfo:
    """One live session as its owner sees it. `last_seen_at` is read back from the idle expiry
    (each request renews it), so seeing a session costs no extra write per request."""

    id: str
    token: str
    method: str
    scope: str
    created_at: datetime | None
    last_seen_at: datetime | None
    ip_hash: str
    user_agent: str


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
        self,
        scope: Scope,
        subject_id: int,
        name: str,
        role: StaffRole | None = None,
        *,
        method: str = "",
        ip_hash: str = "",
        user_agent: str = "",
    ) -> Session:
        token = secrets.token_urlsafe(32)
        fields = {
            "scope": scope.value,
            "subject": subject_id,
            "name": name,
            "role": role or "",
            "method": method,
            "created": int(self.clock.now().timestamp()),
            "ip": ip_hash,
            "ua": user_agent[:256],
        }
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

    async def alive(self, token: str) -> bool:
        """Still valid (not revoked, not idle too long), without counting as activity."""
        return bool(token) and bool(await self.redis.exists(self.key("session", token)))

    async def revoke(self, token: str) -> None:
        await self.redis.delete(self.key("session", token))

    async def revoke_all(self, scope: Scope, subject_id: int, keep: str | None = None) -> None:
        subject_key = self._subject_key(scope, subject_id)
        tokens = [t for t in await self.redis.smembers(subject_key) if t != keep]
        if tokens:
            await self.redis.delete(*(self.key("session", t) for t in tokens))
            await self.redis.srem(subject_key, *tokens)

    async def list_for(self, scope: Scope, subject_id: int) -> list[SessionInfo]:
        """The subject's live sessions, newest first; tokens whose session expired are dropped
        from the subject's set on the way."""
        subject_key = self._subject_key(scope, subject_id)
        tokens = sorted(await self.redis.smembers(subject_key))
        if not tokens:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for token in tokens:
            pipe.hgetall(self.key("session", token))
            pipe.pttl(self.key("session", token))
        answers = await pipe.execute()
        now = self.clock.now()
        live, gone = [], []
        for i, token in enumerate(tokens):
            fields, pttl = answers[2 * i], answers[2 * i + 1]
            if not fields or pttl is None or pttl < 0:
                gone.append(token)
                continue
            idle_ms = self.idle_seconds * 1000 - pttl
            created = fields.get("created")
            live.append(
                SessionInfo(
                    id=session_id(token),
                    token=token,
                    method=fields.get("method") or "",
                    scope=fields["scope"],
                    created_at=datetime.fromtimestamp(int(created), UTC) if created else None,
                    last_seen_at=now - timedelta(milliseconds=max(idle_ms, 0)),
                    ip_hash=fields.get("ip") or "",
                    user_agent=fields.get("ua") or "",
                )
            )
        if gone:
            await self.redis.srem(subject_key, *gone)
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(live, key=lambda s: (s.created_at or epoch, s.id), reverse=True)

    async def revoke_by_id(self, scope: Scope, subject_id: int, public_id: str) -> bool:
        """Revoke the subject's session with this public id. False when the subject has none
        (someone else's id is not found either: ids are only looked up among one's own)."""
        subject_key = self._subject_key(scope, subject_id)
        for token in await self.redis.smembers(subject_key):
            if session_id(token) == public_id:
                await self.redis.delete(self.key("session", token))
                await self.redis.srem(subject_key, token)
                return True
        return False

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
