"""The front door of every GraphQL request in one Redis round trip: the session read-and-renew
and the cost-based rate limit (a token bucket per client address and one per subject, charged
with the query's computed cost, `domain.rate_limits`), in ONE script.

The subject's bucket key is built inside the script from the session it just read, since the
subscriber is not known before; that is fine on a single Redis and not on a Redis Cluster
(a script may only touch the keys it declares, all in one slot). On a cluster the same script
runs once per key instead: the session renew, then the address's bucket, then the subject's
(three calls, and the two buckets are charged one after the other, not atomically). Redis
forgetting the script (a restart) costs one SCRIPT LOAD: redis-py's Script reloads it.

The same script reads the catalog version (`CatalogVersionStore`), so a worker learns whether
its cached catalog is stale without a round trip of its own; on a cluster the catalog cache
reads it itself when a request first needs the catalog."""

from __future__ import annotations

from dataclasses import dataclass, replace

from redis.asyncio.cluster import RedisCluster

from db.stores.base import Store
from db.stores.catalog_version import CatalogVersionStore
from db.stores.sessions import SessionStore
from domain.clock import Clock
from domain.rate_limits import BucketPolicy, retry_after_seconds
from domain.sessions import Session

# KEYS[1]: a bucket to charge; KEYS[2]: the catalog version; KEYS[3] (optional): a session to
# renew and read, whose subject's bucket is then charged too.
# ARGV: now ms, charge, capacity, points per second, session idle seconds, subject bucket prefix
# Returns {wait ms (0: taken), the lowest bucket level after, the session's fields or {},
# the catalog version or false}.
ADMIT = """
local now, charge = tonumber(ARGV[1]), tonumber(ARGV[2])
local capacity, rate = tonumber(ARGV[3]), tonumber(ARGV[4])
local buckets = {KEYS[1]}
local session = {}
local catalog = false
if #KEYS > 1 then catalog = redis.call('GET', KEYS[2]) end
if #KEYS > 2 then
  session = redis.call('HGETALL', KEYS[3])
  if #session > 0 then
    redis.call('EXPIRE', KEYS[3], tonumber(ARGV[5]))
    local scope, subject = 'sub', nil
    for i = 1, #session, 2 do
      if session[i] == 'scope' and session[i + 1] == 'STAFF' then scope = 'staff' end
      if session[i] == 'subject' then subject = session[i + 1] end
    end
    if subject then buckets[2] = ARGV[6] .. scope .. ':' .. subject end
  end
end
local levels, ats, wait = {}, {}, 0
for i, key in ipairs(buckets) do
  local state = redis.call('HMGET', key, 't', 'at')
  local tokens, at = tonumber(state[1]), tonumber(state[2])
  if tokens == nil or at == nil then tokens, at = capacity, now end
  if now > at then
    tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
    at = now
  end
  levels[i], ats[i] = tokens, at
  if tokens < charge then
    wait = math.max(wait, math.ceil((charge - tokens) * 1000 / rate))
  end
end
local lowest = capacity
for i, key in ipairs(buckets) do
  if wait == 0 then
    levels[i] = levels[i] - charge
    redis.call('HSET', key, 't', tostring(levels[i]), 'at', ats[i])
    redis.call('PEXPIRE', key, math.ceil(capacity * 1000 / rate) + 1000)
  end
  lowest = math.min(lowest, levels[i])
end
return {wait, math.floor(lowest), session, catalog}
"""


@dataclass(frozen=True)
class Admission:
    session: Session | None
    allowed: bool
    retry_after_seconds: int  # 0 when allowed
    remaining: int  # points left in the lower of the buckets charged
    catalog_version: str | None = None
    catalog_version_read: bool = False  # False on a cluster: the catalog cache reads it itself


class Gate(Store):
    def __init__(
        self,
        redis,
        prefix: str,
        sessions: SessionStore,
        catalog_version: CatalogVersionStore,
        clock: Clock,
    ) -> None:
        super().__init__(redis, prefix)
        self.sessions, self.catalog_version, self.clock = sessions, catalog_version, clock
        self._admit = redis.register_script(ADMIT)

    def address_bucket(self, client: str) -> str:
        return self.key("bucket", "ip", client)

    def subject_bucket(self, scope: str, subject_id: int) -> str:
        return self.key("bucket", scope, subject_id)

    async def admit(
        self, client: str, token: str | None, cost: int, policy: BucketPolicy
    ) -> Admission:
        """Renew and read the token's session, and take `cost` points from the address's and
        the subject's buckets (from neither when either is short)."""
        token = token if token and len(token) <= 128 else None
        charge = policy.charge_of(cost)
        now_ms = int(self.clock.now().timestamp() * 1000)
        args = [now_ms, charge, policy.capacity, policy.per_second, self.sessions.idle_seconds]
        if isinstance(self.redis, RedisCluster):
            return await self._admit_on_cluster(client, token, charge, args)
        keys = [self.address_bucket(client), self.catalog_version.version_key]
        if token is not None:
            keys.append(self.sessions.key("session", token))
        wait, lowest, raw, catalog = await self._admit(
            keys=keys, args=[*args, self.key("bucket", "")]
        )
        session = self.sessions.session_of(token, raw) if token is not None else None
        admitted = self._admission(session, int(wait), int(lowest))
        return replace(admitted, catalog_version=catalog or None, catalog_version_read=True)

    async def _admit_on_cluster(
        self, client: str, token: str | None, charge: int, args: list
    ) -> Admission:
        session = await self.sessions.resolve(token) if token else None
        keys = [self.address_bucket(client)]
        if session is not None:
            scope = "staff" if session.scope.value == "STAFF" else "sub"
            keys.append(self.subject_bucket(scope, session.subject_id))
        wait, levels = 0, []
        for key in keys:
            step_wait, step_lowest, *_ = await self._admit(keys=[key], args=[*args, ""])
            wait, levels = max(wait, int(step_wait)), [*levels, int(step_lowest)]
            if wait:
                break
        return self._admission(session, wait, min(levels))

    @staticmethod
    def _admission(session: Session | None, wait: int, lowest: int) -> Admission:
        allowed = wait == 0
        return Admission(session, allowed, 0 if allowed else retry_after_seconds(wait), lowest)
