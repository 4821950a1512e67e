"""The front door of every HTTP request in one Redis round trip: the client's rate-limit hit
and, when it carries a bearer token, the session read-and-renew. The two are the very scripts
of `RateLimitStore` and `SessionStore`, sent as EVALSHA in one pipeline (not one script: a
client's counter and a session live in different Redis Cluster slots). On a Redis Cluster,
whose pipelines refuse scripts, they are two calls. After a Redis restart
forgot the scripts, the two calls are made the ordinary way, which loads them again."""

from __future__ import annotations

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError

from db.stores.rate_limits import RateLimitStore
from db.stores.sessions import SessionStore
from domain.sessions import Session


class Gate:
    def __init__(self, rate_limits: RateLimitStore, sessions: SessionStore) -> None:
        self.rate_limits, self.sessions = rate_limits, sessions

    async def admit(
        self, bucket: str, client: str, limit: int, token: str | None
    ) -> tuple[bool, Session | None]:
        """(within the rate limit, the token's session or None)."""
        rate, sessions = self.rate_limits, self.sessions
        token = token if token and len(token) <= 128 else None
        if isinstance(rate.redis, RedisCluster):  # its pipelines refuse scripts: two calls
            allowed = await rate.allow(bucket, client, limit)
            return allowed, (await sessions.resolve(token) if token else None)
        pipe = rate.redis.pipeline(transaction=False)
        rate_key, window = rate.hit_key(bucket, client)
        pipe.evalsha(rate.hit_sha, 1, rate_key, window)
        if token is not None:
            pipe.evalsha(
                sessions.touch_sha, 1, sessions.key("session", token), sessions.idle_seconds
            )
        answers = await pipe.execute(raise_on_error=False)
        if any(isinstance(a, NoScriptError) for a in answers):
            allowed = await rate.allow(bucket, client, limit)
            return allowed, (await sessions.resolve(token) if token else None)
        for answer in answers:
            if isinstance(answer, Exception):
                raise answer
        session = sessions.session_of(token, answers[1]) if token is not None else None
        return int(answers[0]) <= limit, session
