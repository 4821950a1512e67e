"""GraphQL over HTTP: media types, status codes, GET for queries only, batches, and every
malformed body a 4xx with a code (never a 500)."""

import json

import pytest

GQL_RESPONSE = "application/graphql-response+json"


async def post(api, body: bytes | str, accept: str | None = None, content_type="application/json"):
    headers = {"content-type": content_type} if content_type else {}
    if accept is not None:
        headers["accept"] = accept
    if isinstance(body, str):
        body = body.encode()
    return await api.client.post("/graphql", content=body, headers=headers)


def code_of(response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def test_graphql_response_json_when_the_client_accepts_it(api):
    response = await post(api, json.dumps({"query": "{ __typename }"}), accept=GQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GQL_RESPONSE}; charset=utf-8"
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "application/*"])
async def test_legacy_clients_get_application_json(api, accept):
    response = await post(api, json.dumps({"query": "{ __typename }"}), accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"


async def test_preference_follows_quality(api):
    both = f"application/json;q=0.5, {GQL_RESPONSE}"
    response = await post(api, json.dumps({"query": "{ __typename }"}), accept=both)
    assert response.headers["content-type"].startswith(GQL_RESPONSE)


async def test_an_unacceptable_accept_is_406(api):
    response = await post(api, json.dumps({"query": "{ __typename }"}), accept="text/plain")
    assert response.status_code == 406 and code_of(response) == "NOT_ACCEPTABLE"


@pytest.mark.parametrize(
    "query", ["{", "{ nope }", "{" + " ".join(f"a{i}: __typename" for i in range(16)) + "}"]
)
async def test_request_errors_are_400_without_data_for_graphql_response_json(api, query):
    strict = await post(api, json.dumps({"query": query}), accept=GQL_RESPONSE)
    assert strict.status_code == 400 and "data" not in strict.json()
    assert strict.json()["errors"]
    legacy = await post(api, json.dumps({"query": query}), accept="application/json")
    assert legacy.status_code == 200 and legacy.json()["errors"]


async def test_field_errors_stay_200_with_data(api):
    response = await post(
        api,
        json.dumps({"query": 'mutation { qrLoginConfirm(token: "x") { ok } }'}),
        accept=GQL_RESPONSE,
    )
    assert response.status_code == 200 and "data" in response.json()


@pytest.mark.parametrize(
    "body",
    [
        b"42",
        b'"x"',
        b"null",
        b"[]",
        b"true",
        b"{not json",
        b"\xff\xfe{}",
        b'{"query": 42}',
        b'{"query": ""}',
        b'{"query": "{ __typename }", "variables": [1]}',
        b'{"query": "{ __typename }", "variables": "x"}',
        b'{"query": "{ __typename }", "operationName": 7}',
        b'{"query": "{ __typename }", "extensions": 1}',
        b'{"query": "{ __typename }", "variables": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_001,
        b'{"query": "{ __typename }", "variables": {"a": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}",
    ],
)
@pytest.mark.parametrize("accept", [GQL_RESPONSE, "application/json"])
async def test_malformed_bodies_are_400_with_a_code(api, body, accept):
    response = await post(api, body, accept=accept)
    assert response.status_code == 400, (body[:40], response.text[:200])
    assert code_of(response) in ("BAD_REQUEST", "BATCH_TOO_LARGE")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json; charset=latin1"])
async def test_post_needs_json_in_utf8(api, content_type):
    response = await post(api, json.dumps({"query": "{ __typename }"}), content_type=content_type)
    assert response.status_code == 415 and code_of(response) == "UNSUPPORTED_MEDIA_TYPE"


async def test_get_runs_queries(api):
    response = await api.client.get(
        "/graphql",
        params={"query": "query($n: Int) { me { orders(first: $n) { nodes { id } } } }",
                "variables": json.dumps({"n": 5})},
        headers={"accept": GQL_RESPONSE},
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["data"] == {"me": None}


async def test_get_refuses_mutations_with_405(api):
    response = await api.client.get(
        "/graphql", params={"query": "mutation { captchaCreate { captchaId } }"}
    )
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert code_of(response) == "METHOD_NOT_ALLOWED"


async def test_get_with_bad_variables_is_400(api):
    response = await api.client.get(
        "/graphql", params={"query": "{ __typename }", "variables": "{nope"}
    )
    assert response.status_code == 400 and code_of(response) == "BAD_REQUEST"


async def test_unknown_operation_name_is_400(api):
    body = json.dumps({"query": "query A { __typename }", "operationName": "B"})
    assert (await post(api, body)).status_code == 400


async def test_a_batch_runs_each_operation_and_is_capped(api):
    two = json.dumps([{"query": "{ __typename }"}, {"query": "{ catalog { plans { id } } }"}])
    response = await post(api, two)
    assert response.status_code == 200
    answers = response.json()
    assert answers[0]["data"] == {"__typename": "Query"} and answers[1]["data"]["catalog"]
    six = json.dumps([{"query": "{ __typename }"}] * 6)
    refused = await post(api, six)
    assert refused.status_code == 400 and code_of(refused) == "BATCH_TOO_LARGE"


async def test_other_methods_are_405(api):
    assert (await api.client.put("/graphql", json={"query": "{ __typename }"})).status_code == 405


async def test_utf8_round_trips(api):
    response = await post(api, json.dumps({"query": "{ catalog { plans { name } } }"}))
    assert response.status_code == 200
    assert any("套餐" in p["name"] for p in response.json()["data"]["catalog"]["plans"])
