"""Malformed, forged and oversized requests get a clear error, never a 500 or a stack trace."""

import httpx

from server.app import create_app


async def test_non_json_body(api):
    response = await api.client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_oversized_body_is_413(api):
    response = await api.client.post(
        "/graphql", json={"query": "{ me { msisdn } }", "pad": "x" * 2_000_000}
    )
    assert response.status_code == 413


async def test_unknown_field_is_a_graphql_error(api):
    body = await api("{ me { msisdn nope } }")
    assert body["errors"][0]["message"].startswith("Cannot query field 'nope'")


async def test_missing_argument(api):
    body = await api("mutation { smsCodeSend { resendAfterSeconds } }")
    assert "input" in body["errors"][0]["message"]


async def test_bad_enum_value(api):
    body = await api(
        'mutation { smsCodeSend(input: {msisdn: "18600000001", purpose: HACK}) { resendAfterSeconds } }'
    )
    assert body["errors"] and body["data"] is None


async def test_forged_token_reads_as_anonymous_and_protected_calls_say_why(api):
    forged = api.as_("forged-token")
    assert (await forged.data("{ me { msisdn } }"))["me"] is None
    body = await forged('mutation { qrLoginConfirm(token: "x") { ok } }')
    error = body["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED" and "expired" in error["message"]


async def test_absurdly_long_token(api):
    assert (await api.as_("x" * 5000).data("{ me { msisdn } }"))["me"] is None


async def test_too_deep_query_is_refused(settings, services):
    shallow = settings.model_copy(update={"max_query_depth": 1})
    app = create_app(shallow, services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        ok = await client.post("/graphql", json={"query": "{ me { msisdn } }"})
        deep = await client.post("/graphql", json={"query": "{ me { plan { id } } }"})
    assert "errors" not in ok.json()
    assert deep.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


async def test_unexpected_errors_are_masked(settings, services, monkeypatch):
    from resolvers import accounts

    async def boom(ctx):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(accounts, "current_subscriber", boom)
    app = create_app(settings, services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.post("/graphql", json={"query": "{ me { msisdn } }"})
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "Internal error."
    assert "secret" not in response.text


async def test_get_serves_graphiql_with_examples(api):
    response = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "authLogin" in response.text


def test_prod_schema_has_no_dev_field():
    from schema.root import build_schema

    assert (
        "dev" not in build_schema(include_dev=False).as_str().split("type Query {")[1].split("}")[0]
    )
    assert "dev: Dev!" in build_schema(include_dev=True).as_str()
