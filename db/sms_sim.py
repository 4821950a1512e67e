"""The simulated SMS centre (the SmsDeliveryGateway port's honest stand-in).

It behaves the way a carrier SMS platform does towards the hall: each call takes a while
(latency), some calls fail for a moment (transient failures), a number may receive only so many
messages a minute (the per-number rate limit, refused with a retry-after), and a message id it
already accepted is accepted again without a second delivery (so a retry after a lost answer is
safe). Its state lives in Redis, so every worker and host talks to the same "SMS centre".

Determinism: with `seed` set, whether the n-th try of a message fails and how long it takes
follow from (seed, message id, n) alone, whatever the order in which workers send."""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from db.stores.base import Store
from domain.clock import Clock
from domain.ports import SmsRejectedError, SmsTransientError

# KEYS: accepted marker, per-number window counter, delivered log.
# ARGV: per-minute limit, window seconds, dedup (1/0), message id.
# Returns 1 duplicate (already accepted), 0 accepted now, -1 rate limited.
ACCEPT = """
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used >= tonumber(ARGV[1]) then return -1 end
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
redis.call('SET', KEYS[1], 1, 'EX', 86400)
redis.call('RPUSH', KEYS[3], ARGV[4])
redis.call('EXPIRE', KEYS[3], 86400)
return 0
"""

WINDOW_SECONDS = 60


class SimulatedSmsGateway(Store):
    def __init__(
        self,
        redis,
        prefix: str,
        clock: Clock,
        *,
        latency_ms: int = 30,
        failure_rate: float = 0.0,
        per_number_per_minute: int = 5,
        seed: int | None = None,
        dedup: bool = True,
    ) -> None:
        super().__init__(redis, prefix)
        self.clock = clock
        self.latency_ms, self.failure_rate = latency_ms, failure_rate
        self.per_number_per_minute = per_number_per_minute
        self.seed = seed if seed is not None else secrets.randbits(32)
        self.dedup = dedup
        self._accept = redis.register_script(ACCEPT)

    def _tag(self, msisdn: str) -> str:
        return "{sms-sim:" + msisdn + "}"  # one slot per number (Redis Cluster)

    def _draw(self, message_id: str, attempt: int, what: str) -> float:
        digest = hashlib.sha256(f"{self.seed}:{message_id}:{attempt}:{what}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    async def deliver(self, message_id: str, msisdn: str, text: str) -> None:
        if not (len(msisdn) == 11 and msisdn.isdigit() and msisdn.startswith("1")):
            raise SmsRejectedError("INVALID_NUMBER")
        tag = self._tag(msisdn)
        attempt = int(await self.redis.incr(self.key(tag, "tries", message_id)))
        await self.redis.expire(self.key(tag, "tries", message_id), 86400)
        if self.latency_ms:
            spread = 0.5 + self._draw(message_id, attempt, "latency")  # 0.5× to 1.5×
            await asyncio.sleep(self.latency_ms * spread / 1000)
        if self._draw(message_id, attempt, "fail") < self.failure_rate:
            raise SmsTransientError("GATEWAY_BUSY")
        now_s = int(self.clock.now().timestamp())
        window = now_s // WINDOW_SECONDS
        outcome = int(
            await self._accept(
                keys=[
                    self.key(tag, "accepted", message_id),
                    self.key(tag, "window", window),
                    self.key(tag, "delivered"),
                ],
                args=[self.per_number_per_minute, WINDOW_SECONDS, int(self.dedup), message_id],
            )
        )
        if outcome < 0:
            raise SmsTransientError("RATE_LIMITED", WINDOW_SECONDS - now_s % WINDOW_SECONDS)

    async def delivered(self, msisdn: str) -> list[str]:
        """The message ids the SMS centre delivered to this number (newest last), for tests."""
        return list(await self.redis.lrange(self.key(self._tag(msisdn), "delivered"), 0, -1))
