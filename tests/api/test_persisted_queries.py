"""Automatic persisted queries (Apollo's APQ) through HTTP: an unknown hash, registering with
the query, the fast path that neither parses nor validates, a wrong hash, mutations still
refused over GET, and a hash registered on one app instance known to another that shares Redis."""

from __future__ import annotations

import hashlib
import json
import secrets

import httpx
import pytest

import schema.extensions as hall_extensions
from db.stores.persisted_queries import TAG, PersistedQueryStore
from server.app import create_app

GQL_RESPONSE = "application/graphql-response+json"


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def apq(query: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


def fresh_query() -> str:
    """A document no cache of this process has seen yet."""
    return f"query Plans{secrets.token_hex(4)} {{ catalog {{ plans {{ id name }} }} }}"


@pytest.fixture
def counted(monkeypatch):
    """How often the hall's parse and validation run (cache lookups included)."""
    calls = {"parse": 0, "validate": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        hall_extensions, "cached_parse", counting("parse", hall_extensions.cached_parse)
    )
    monkeypatch.setattr(
        hall_extensions, "cached_validate", counting("validate", hall_extensions.cached_validate)
    )
    return calls


async def post(client, body, accept: str | None = None) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return await client.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize("accept", [None, GQL_RESPONSE])
async def test_an_unknown_hash_is_persisted_query_not_found_with_200(api, accept):
    response = await post(api.client, {"extensions": apq(fresh_query())}, accept)
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }


async def test_miss_register_then_hit_skips_parse_and_validation(api, services, counted):
    query = fresh_query()
    missed = await post(api.client, {"extensions": apq(query)})
    assert missed.json()["errors"][0]["message"] == "PersistedQueryNotFound"

    registered = await post(api.client, {"query": query, "extensions": apq(query)})
    plans = registered.json()["data"]["catalog"]["plans"]
    assert plans and registered.json()["extensions"]["cost"]["requestedQueryCost"] == 2
    assert counted == {"parse": 1, "validate": 1}
    assert await services.stores.persisted_queries.get(sha(query)) == query

    for _ in range(3):
        hit = await post(api.client, {"extensions": apq(query)})
        assert hit.json()["data"]["catalog"]["plans"] == plans
        assert hit.json()["extensions"]["cost"]["requestedQueryCost"] == 2
    got = await api.client.get("/graphql", params={"extensions": json.dumps(apq(query))})
    assert got.status_code == 200 and got.json()["data"]["catalog"]["plans"] == plans
    assert counted == {"parse": 1, "validate": 1}  # the hits did neither


async def test_the_fast_path_still_measures_the_cost_of_its_variables(api):
    query = f"query Orders{secrets.token_hex(4)}($n: Int) {{ me {{ orders(first: $n) {{ nodes {{ id }} }} }} }}"
    await post(api.client, {"query": query, "variables": {"n": 5}, "extensions": apq(query)})
    inside = await post(api.client, {"variables": {"n": 100}, "extensions": apq(query)})
    assert "errors" not in inside.json()
    outside = await post(api.client, {"variables": {"n": 101}, "extensions": apq(query)})
    assert outside.json()["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_a_hash_that_is_not_the_querys_is_400(api):
    body = {"query": "{ __typename }", "extensions": apq("{ catalog { plans { id } } }")}
    for accept in (None, GQL_RESPONSE):
        response = await post(api.client, body, accept)
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["message"] == "provided sha does not match query"
        assert error["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    "persisted",
    [
        {"version": 2, "sha256Hash": "0" * 64},
        {"sha256Hash": "0" * 64},
        {"version": 1, "sha256Hash": "xyz"},
        {"version": 1},
        "0" * 64,
    ],
)
async def test_a_malformed_persisted_query_is_400(api, persisted):
    response = await post(api.client, {"extensions": {"persistedQuery": persisted}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_an_invalid_query_is_not_registered(api, services):
    query = "{ nope }"
    response = await post(api.client, {"query": query, "extensions": apq(query)})
    assert response.json()["errors"]
    assert await services.stores.persisted_queries.get(sha(query)) is None


async def test_get_refuses_a_persisted_mutation(api):
    mutation = f"mutation Captcha{secrets.token_hex(4)} {{ captchaCreate {{ id }} }}"
    ran = await post(api.client, {"query": mutation, "extensions": apq(mutation)})
    assert ran.json()["data"]["captchaCreate"]["id"]
    hashed = {"extensions": json.dumps(apq(mutation))}
    for params in (hashed, {**hashed, "query": mutation}):
        refused = await api.client.get("/graphql", params=params)
        assert refused.status_code == 405 and refused.headers["allow"] == "POST"
        assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_a_hash_registered_on_one_instance_is_known_to_another(settings, services, counted):
    query = fresh_query()
    first, second = create_app(settings, services), create_app(settings, services)
    transports = [httpx.ASGITransport(app=app) for app in (first, second)]
    async with (
        httpx.AsyncClient(transport=transports[0], base_url="http://one") as one,
        httpx.AsyncClient(transport=transports[1], base_url="http://two") as two,
    ):
        await post(one, {"query": query, "extensions": apq(query)})
        assert counted == {"parse": 1, "validate": 1}
        hit = await post(two, {"extensions": apq(query)})
        assert hit.json()["data"]["catalog"]["plans"]
        # the second instance read the text from Redis and validated it once, for itself
        assert counted["validate"] == 2
        await post(two, {"extensions": apq(query)})
        assert counted["validate"] == 2


async def test_a_batch_answers_a_missing_hash_in_its_place(api):
    batch = [{"extensions": apq(fresh_query())}, {"query": "{ __typename }"}]
    response = await post(api.client, batch)
    assert response.status_code == 200
    missing, ran = response.json()
    assert missing["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert ran["data"] == {"__typename": "Query"}


async def test_the_registry_is_bounded_by_count_and_lifetime(services, settings):
    store = PersistedQueryStore(
        services.stores.redis, f"{settings.redis_prefix}bound-{secrets.token_hex(3)}:"
    )
    queries = [f"{{ a{i}: __typename }}" for i in range(3)]
    for query in queries:
        await store.register(sha(query), query, ttl_seconds=600, max_entries=2)
    assert await store.get(sha(queries[0])) is None  # the oldest went first
    assert [await store.get(sha(q)) for q in queries[1:]] == queries[1:]
    await store.register(sha(queries[1]), queries[1], ttl_seconds=600, max_entries=2)  # renewed
    await store.register(sha("{ b }"), "{ b }", ttl_seconds=600, max_entries=2)
    assert await store.get(sha(queries[2])) is None and await store.get(sha(queries[1]))
    ttl = await services.stores.redis.ttl(store.key(TAG, "query", sha(queries[1])))
    assert 590 <= ttl <= 600
