"""Cost-based rate limits as a token bucket (Shopify's leaky bucket): a bucket holds up to
`capacity` points and refills at `per_second`; a request takes its query's cost or waits.
The Lua script in `db/stores/gate.py` applies exactly this rule in Redis; this module is the
rule itself (the in-process fallback while Redis is away runs it, and the tests compare the
two)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class BucketPolicy:
    capacity: int
    per_second: float

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.per_second <= 0:
            raise ValueError("a bucket holds at least 1 point and refills at a positive rate")

    def charge_of(self, cost: int) -> int:
        """What a request takes: at least 1 point, at most a full bucket (a query costing
        more than the bucket holds is refused by the cost limit before it gets here)."""
        return min(max(cost, 1), self.capacity)


@dataclass(frozen=True)
class Level:
    tokens: float
    at_ms: int


def refilled(policy: BucketPolicy, level: Level | None, now_ms: int) -> Level:
    """The bucket at `now_ms` (a bucket never seen is full; time never runs backwards)."""
    if level is None:
        return Level(float(policy.capacity), now_ms)
    if now_ms <= level.at_ms:
        return level
    tokens = level.tokens + (now_ms - level.at_ms) * policy.per_second / 1000
    return Level(min(float(policy.capacity), tokens), now_ms)


def wait_ms(policy: BucketPolicy, level: Level, charge: int) -> int:
    """0 when the bucket holds `charge` points, else the milliseconds until it will."""
    if level.tokens >= charge:
        return 0
    return math.ceil((charge - level.tokens) * 1000 / policy.per_second)


def retry_after_seconds(wait: int) -> int:
    return max(1, math.ceil(wait / 1000))
