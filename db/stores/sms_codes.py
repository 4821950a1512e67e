"""One live code per number and purpose: a resend cooldown, a daily cap, and a try budget that
burns the code once spent. Each step is one Lua script so concurrent requests cannot race it."""

from __future__ import annotations

from dataclasses import dataclass

from db.stores.base import Store

# KEYS: code, cooldown, daily. ARGV: code, ttl, resend, daily_limit, day_ttl
ISSUE = """
local wait = redis.call('TTL', KEYS[2])
if wait > 0 then return {'COOLDOWN', wait} end
local sent = tonumber(redis.call('GET', KEYS[3]) or '0')
if sent >= tonumber(ARGV[4]) then return {'DAILY_LIMIT', redis.call('TTL', KEYS[3])} end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'code', ARGV[1], 'tries', 0)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
redis.call('SET', KEYS[2], 1, 'EX', tonumber(ARGV[3]))
redis.call('INCR', KEYS[3])
if redis.call('TTL', KEYS[3]) < 0 then redis.call('EXPIRE', KEYS[3], tonumber(ARGV[5])) end
return {'OK', tonumber(ARGV[3])}
"""

# KEYS: code. ARGV: attempt, max_tries
VERIFY = """
local code = redis.call('HGET', KEYS[1], 'code')
if not code then return {'EXPIRED', 0} end
if code == ARGV[1] then redis.call('DEL', KEYS[1]); return {'OK', 0} end
local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
local left = tonumber(ARGV[2]) - tries
if left <= 0 then redis.call('DEL', KEYS[1]) end
return {'INVALID', left}
"""


@dataclass(frozen=True)
class Verdict:
    outcome: str  # OK, EXPIRED, INVALID
    tries_left: int = 0


class SmsCodeStore(Store):
    def __init__(self, redis, prefix: str) -> None:
        super().__init__(redis, prefix)
        self._issue = redis.register_script(ISSUE)
        self._verify = redis.register_script(VERIFY)

    def _keys(self, purpose: str, msisdn: str) -> list[str]:
        # the hash tag `{msisdn}`: ISSUE touches all three, so they share a Redis Cluster slot
        return [
            self._code_key(purpose, msisdn),
            self.key("sms-cooldown", purpose, f"{{{msisdn}}}"),
            self.key("sms-daily", f"{{{msisdn}}}"),
        ]

    def _code_key(self, purpose: str, msisdn: str) -> str:
        return self.key("sms", purpose, f"{{{msisdn}}}")

    async def issue(
        self, purpose: str, msisdn: str, code: str, ttl: int, resend: int, daily_limit: int
    ) -> tuple[str, int]:
        outcome, seconds = await self._issue(
            keys=self._keys(purpose, msisdn), args=[code, ttl, resend, daily_limit, 86400]
        )
        return outcome, int(seconds)

    async def verify(self, purpose: str, msisdn: str, attempt: str, max_tries: int) -> Verdict:
        outcome, left = await self._verify(
            keys=[self._code_key(purpose, msisdn)], args=[attempt, max_tries]
        )
        return Verdict(outcome, int(left))
