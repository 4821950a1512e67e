"""Rate limits in cost points (a token bucket per client address and per subject): a query
takes its computed cost (`extensions.cost`); past the bucket it answers RATE_LIMITED with
`retryAfterSeconds`, HTTP 429 and Retry-After, and runs nothing. The hall's clock is frozen, so
nothing refills until the test moves it."""

from __future__ import annotations

import secrets
from datetime import timedelta

import httpx

from server.app import create_app
from tests.conftest import subscribe

PAGE = "query Page($n: Int!) { me { msisdn orders(first: $n) { edges { node { kind } } } } }"
# cost: me 1 + orders 1 + n x (edge 1 + node 1), n counted as at least 1
MSISDN = "{ me { msisdn } }"  # 1 point


def tight_app(settings, services, capacity: int, per_second: float = 1.0):
    tight = settings.model_copy(
        update={"rate_limit_bucket_points": capacity, "rate_limit_points_per_second": per_second}
    )
    return create_app(tight, services)


def client_of(app, ip: str | None = None) -> httpx.AsyncClient:
    address = ip or f"10.99.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=app, client=(address, 1))
    return httpx.AsyncClient(transport=transport, base_url="http://hall.test")


async def ask(client, token, n, accept="application/json", query=PAGE):
    headers = {"authorization": f"Bearer {token}", "accept": accept}
    body = {"query": query, "variables": {"n": n} if query == PAGE else {}}
    return await client.post("/graphql", json=body, headers=headers)


async def test_a_query_just_inside_the_bucket_runs_one_point_more_waits(settings, services, clock):
    clock.set(clock.now())
    sub = await subscribe(services)
    app = tight_app(settings, services, capacity=50, per_second=2)
    async with client_of(app) as client:
        first = await ask(client, sub.token, 10)  # 22 points
        assert first.status_code == 200 and first.json()["data"]["me"]["msisdn"]
        assert first.json()["extensions"]["cost"]["requestedQueryCost"] == 22
        inside = await ask(client, sub.token, 13)  # 28 points: exactly what is left
        assert inside.status_code == 200 and not inside.json().get("errors")
        assert inside.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 0
        outside = await ask(client, sub.token, 0, query=MSISDN)  # 1 point, none left
        assert outside.status_code == 429 and outside.headers["retry-after"] == "1"
        error = outside.json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfterSeconds"] == 1  # 1 point at 2 per second
        assert outside.json().get("data") is None  # nothing ran
        clock.set(clock.now() + timedelta(milliseconds=499))
        assert (await ask(client, sub.token, 0, query=MSISDN)).status_code == 429
        clock.set(clock.now() + timedelta(milliseconds=1))  # refilled: 1 point
        assert (await ask(client, sub.token, 0, query=MSISDN)).status_code == 200


async def test_the_wait_is_what_the_cost_needs(settings, services, clock):
    clock.set(clock.now())
    sub = await subscribe(services)
    app = tight_app(settings, services, capacity=30, per_second=2)
    async with client_of(app) as client:
        assert (await ask(client, sub.token, 14)).status_code == 200  # 30 points: all of it
        refused = await ask(client, sub.token, 14)
        assert refused.json()["errors"][0]["extensions"]["retryAfterSeconds"] == 15  # 30 at 2/s
        spec = await ask(client, sub.token, 14, accept="application/graphql-response+json")
        assert spec.status_code == 429  # not the 400 of a request error


async def test_the_subscriber_bucket_follows_the_subscriber_across_addresses(
    settings, services, clock
):
    clock.set(clock.now())
    sub = await subscribe(services)
    app = tight_app(settings, services, capacity=30)
    async with client_of(app) as here, client_of(app) as elsewhere:
        assert (await ask(here, sub.token, 14)).status_code == 200  # the subscriber's 30 points
        refused = await ask(elsewhere, sub.token, 0, query=MSISDN)
        assert refused.status_code == 429  # a fresh address, the same subscriber's bucket
        other = await subscribe(services)
        assert (await ask(elsewhere, other.token, 14)).status_code == 200  # another subscriber


async def test_the_address_bucket_limits_anonymous_clients(settings, services, clock):
    clock.set(clock.now())
    app = tight_app(settings, services, capacity=10)
    async with client_of(app) as client:
        codes = [
            (await client.post("/graphql", json={"query": "{ catalog { plans { id } } }"}))
            for _ in range(6)
        ]
    assert [r.status_code for r in codes] == [200] * 5 + [429]  # 2 points each
    assert codes[-1].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_failing_document_is_charged_one_point(settings, services, clock):
    clock.set(clock.now())
    app = tight_app(settings, services, capacity=10)
    async with client_of(app) as client:
        for _ in range(10):
            await client.post("/graphql", json={"query": "{ nosuchfield"})  # a syntax error
        answer = await client.post("/graphql", json={"query": "{ __typename }"})
    assert answer.status_code == 429


async def test_other_routes_take_one_point(settings, services, clock):
    clock.set(clock.now())
    app = tight_app(settings, services, capacity=10)
    async with client_of(app) as client:
        codes = [(await client.get("/static/graphiql/nothing.js")).status_code for _ in range(11)]
    assert 429 not in codes[:10] and codes[10] == 429
