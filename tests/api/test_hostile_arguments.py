"""The inputs the issue found answering a masked internal error, each now a clear error with a
code (or a plain answer), never "Internal error.", on SQLite and PostgreSQL alike."""

import base64
import json

import pytest

RECORDS = """query($from: DateTime, $to: DateTime, $after: String) {
  me { usageRecords(from: $from, to: $to, after: $after, first: 5) { edges { cursor } } } }"""
QUOTE = """query($data: ID, $vas: [ID!]!) { quoteBundle(input: {dataPackId: $data, vasPackIds: $vas}) {
  finalPriceFen } }"""
FESTIVAL = """mutation($input: FestivalCreateInput!) { festivalCreate(input: $input) {
  userErrors { code field } } }"""


def assert_clear(body):
    errors = body.get("errors") or []
    assert all(e["message"] != "Internal error." for e in errors), errors
    return errors


@pytest.mark.parametrize(
    "variables",
    [
        {"from": "2026-10-01T00:00:00"},  # naive
        {"from": "2026-10-01T00:00:00+08:00", "to": "2026-10-02T00:00:00"},
        {"from": "9999-12-31T23:59:59-12:00"},
        {"to": "0001-01-01T00:00:00+14:00"},
        {"after": base64.urlsafe_b64encode(json.dumps(["x", [1, 2]]).encode()).decode()},
        {"after": base64.urlsafe_b64encode(json.dumps({"a": 1}).encode()).decode()},
    ],
)
async def test_usage_ranges_and_cursors(api, subscriber, variables):
    body = await api.as_(subscriber.token)(RECORDS, **variables)
    assert_clear(body)


@pytest.mark.parametrize(
    "variables",
    [
        {"data": "D" * 33, "vas": []},
        {"data": "DATA-1G", "vas": ["V" * 500]},
    ],
)
async def test_quote_bundle_ids(api, variables):
    assert_clear(await api(QUOTE, **variables))


@pytest.mark.parametrize(
    "window",
    [
        ("9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59-12:00"),
        ("0001-01-01T00:00:00+14:00", "0001-01-02T00:00:00+14:00"),
        ("2027-05-15T00:00:00", "2027-05-22T00:00:00"),
    ],
)
async def test_marketing_dates_at_the_edges(api, marketing_token, window):
    starts, ends = window
    body = await api.as_(marketing_token)(
        FESTIVAL, input={"name": "边界", "startsAt": starts, "endsAt": ends}
    )
    assert_clear(body)


@pytest.mark.parametrize(
    "body",
    [
        {"query": QUOTE, "variables": {"data": "DATA-1G\x00", "vas": []}},
        {"query": '{ quoteBundle(input: {dataPackId: "\\u0000"}) { finalPriceFen } }'},
        {"query": '{ quoteBundle(input: {dataPackId: "\\u{0}"}) { finalPriceFen } }'},
    ],
)
async def test_nul_characters_are_refused_at_the_door(api, body):
    response = await api.client.post("/graphql", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_naive_and_out_of_range_datetimes_say_why(api, subscriber):
    body = await api.as_(subscriber.token)(RECORDS, **{"from": "2026-10-01T00:00:00"})
    assert body["data"] is None and "offset" in body["errors"][0]["message"]
    body = await api.as_(subscriber.token)(RECORDS, **{"from": "9999-12-31T23:59:59-12:00"})
    assert body["data"] is None and "range" in body["errors"][0]["message"]


async def test_an_oversized_id_is_an_invalid_argument(api):
    body = await api(QUOTE, data="D" * 33, vas=[])
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
