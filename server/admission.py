"""Admission of a GraphQL request: its session and its rate limit in one Redis round trip, once
the document's cost is known and before anything executes.

The limits extension (`schema.extensions`) measures the cost; this extension, right after it,
asks `Gate.admit` to renew the bearer's session and take that cost from the client address's and
the subject's token buckets. A refused request answers the GraphQL error RATE_LIMITED with
`extensions.retryAfterSeconds` (HTTP 429 with Retry-After, set by the HTTP layer) and runs
nothing. A document that fails to parse or validate is charged 1 point after the fact (one more
round trip, on failing requests only). With Redis away, a bearer's request is UNAVAILABLE (503:
its session cannot be read) and an anonymous one is limited by this process alone
(`LocalBuckets`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import GraphQLError
from redis.exceptions import RedisError
from strawberry.extensions import SchemaExtension

from domain.rate_limits import BucketPolicy, Level, refilled, retry_after_seconds, wait_ms
from resolvers.context import RequestContext
from server.outage import UNAVAILABLE_MESSAGE

MAX_LOCAL_CLIENTS = 10_000


class LocalBuckets:
    """The same buckets in this process only: the rate limit while Redis is unreachable."""

    def __init__(self, policy: BucketPolicy) -> None:
        self.policy = policy
        self._levels: dict[str, Level] = {}

    def take(self, client: str, cost: int, now_ms: int) -> int:
        """0 when taken, else the milliseconds to wait."""
        if len(self._levels) > MAX_LOCAL_CLIENTS:
            self._levels.clear()  # forgetting gives full buckets: errs on letting clients in
        charge = self.policy.charge_of(cost)
        level = refilled(self.policy, self._levels.get(client), now_ms)
        wait = wait_ms(self.policy, level, charge)
        self._levels[client] = level if wait else Level(level.tokens - charge, level.at_ms)
        return wait


def rate_limited(seconds: int, cost: int) -> GraphQLError:
    return GraphQLError(
        f"Rate limit reached: this query costs {cost} points; retry in {seconds} s.",
        extensions={"code": "RATE_LIMITED", "retryAfterSeconds": seconds, "cost": cost},
    )


def admission_extension(policy: BucketPolicy) -> type[SchemaExtension]:
    local = LocalBuckets(policy)

    async def admit(ctx: RequestContext, cost: int) -> GraphQLError | None:
        ctx.admission_pending = False
        token = ctx.bearer_token
        try:
            admitted = await ctx.stores.gate.admit(ctx.client_ip, token, cost, policy)
        except RedisError:
            if token is not None:
                ctx.unavailable = True
                return GraphQLError(UNAVAILABLE_MESSAGE, extensions={"code": "UNAVAILABLE"})
            wait = local.take(ctx.client_ip, cost, int(ctx.now().timestamp() * 1000))
            if wait:
                ctx.rate_limited_for = retry_after_seconds(wait)
                return rate_limited(ctx.rate_limited_for, policy.charge_of(cost))
            return None
        ctx.session = admitted.session
        ctx.token_rejected = token is not None and admitted.session is None
        ctx.bucket_remaining = admitted.remaining
        ctx.catalog_version = admitted.catalog_version
        ctx.catalog_version_read = admitted.catalog_version_read
        if not admitted.allowed:
            ctx.rate_limited_for = admitted.retry_after_seconds
            return rate_limited(admitted.retry_after_seconds, policy.charge_of(cost))
        return None

    class Admission(SchemaExtension):
        async def on_validate(self) -> AsyncIterator[None]:
            ec = self.execution_context
            ctx = ec.context
            if isinstance(ctx, RequestContext) and ctx.admission_pending:
                failed = bool(ec.pre_execution_errors)
                cost = 1 if failed or ctx.query_cost is None else ctx.query_cost
                refused = await admit(ctx, cost)
                if refused is not None:
                    ec.pre_execution_errors = [refused]
            yield

        async def on_operation(self) -> AsyncIterator[None]:
            try:
                yield
            finally:  # a document that did not parse (the parser may raise through here)
                ctx = self.execution_context.context
                if isinstance(ctx, RequestContext) and ctx.admission_pending:
                    await admit(ctx, 1)

    return Admission
