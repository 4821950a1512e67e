"""A batch (a JSON array of operations) is one request to the limits: its costs and its root
mutations are summed, and how many operations it holds is capped; each just inside and outside."""

from __future__ import annotations

import httpx
import pytest

from server.app import create_app

ORDERS = "query($n: Int) { me { orders(first: $n) { edges { node { kind } } } } }"  # 2 + 2n


def captchas(n: int) -> dict:
    return {
        "query": "mutation {" + " ".join(f"c{i}: captchaCreate {{ id }}" for i in range(n)) + "}"
    }


@pytest.fixture
async def small(settings, services):
    """An app whose operations may cost 100 points, in batches of at most 3."""
    app = create_app(
        settings.model_copy(update={"max_query_cost": 100, "max_batch_operations": 3}), services
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def code_of(response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def test_the_batch_cost_is_summed(small):
    inside = [{"query": ORDERS, "variables": {"n": 24}}] * 2  # 50 + 50
    response = await small.post("/graphql", json=inside)
    assert response.status_code == 200
    assert [a["extensions"]["cost"]["requestedQueryCost"] for a in response.json()] == [50, 50]
    outside = [{"query": ORDERS, "variables": {"n": 24}}, {"query": ORDERS, "variables": {"n": 25}}]
    refused = await small.post("/graphql", json=outside)  # 50 + 52, each alone within 100
    assert refused.status_code == 400 and code_of(refused) == "QUERY_TOO_COSTLY"
    assert refused.json()["errors"][0]["extensions"]["cost"] == 102
    assert "data" not in refused.json()


async def captcha_keys(services, settings) -> int:
    pattern = f"{settings.redis_prefix}captcha:*"
    return len([k async for k in services.stores.redis.scan_iter(match=pattern, count=1000)])


async def test_root_mutations_are_counted_across_the_batch(api, services, settings):
    before = await captcha_keys(services, settings)
    inside = await api.client.post("/graphql", json=[captchas(2), captchas(2)])
    assert inside.status_code == 200
    assert all(len(answer["data"]) == 2 for answer in inside.json())
    assert await captcha_keys(services, settings) == before + 4
    refused = await api.client.post("/graphql", json=[captchas(2), captchas(3)])
    assert refused.status_code == 400 and code_of(refused) == "TOO_MANY_MUTATIONS"
    assert "5 mutations" in refused.json()["errors"][0]["message"]
    assert await captcha_keys(services, settings) == before + 4  # none of the batch ran


async def test_the_batch_size_is_capped_by_the_setting(small):
    three = await small.post("/graphql", json=[{"query": "{ __typename }"}] * 3)
    assert three.status_code == 200 and len(three.json()) == 3
    four = await small.post("/graphql", json=[{"query": "{ __typename }"}] * 4)
    assert four.status_code == 400 and code_of(four) == "BATCH_TOO_LARGE"


async def test_an_unparsable_operation_answers_in_its_place(small):
    response = await small.post("/graphql", json=[{"query": "{"}, {"query": "{ __typename }"}])
    assert response.status_code == 200
    broken, ran = response.json()
    assert broken["errors"] and ran["data"] == {"__typename": "Query"}
