"""Fuzzing: queries and mutations generated from the schema itself (hypothesis-graphql, the
engine schemathesis uses for GraphQL), valid by the schema but with hostile values (NUL bytes,
out-of-range dates, naive datetimes, huge numbers, long strings), sent as an anonymous caller,
a customer and marketing staff. None may answer HTTP 5xx or a masked internal error.

Bounded: a fixed number of examples per caller and kind (TELEHALL_FUZZ_EXAMPLES, default 40),
no shrinking deadline, so the run stays within seconds to a minute. Marketing staff get queries
only: their mutations write catalog-wide rows (festivals, campaigns) that other tests of the
session price against."""

from __future__ import annotations

import os
from datetime import UTC, timedelta, timezone

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

from schema.root import build_schema

EXAMPLES = int(os.environ.get("TELEHALL_FUZZ_EXAMPLES", "40"))
SCHEMA = build_schema(include_dev=False)._schema
# Fields that run long by design (bulk billing run, year-end expiry) or only mirror others.
SKIP_MUTATIONS = {"billingRun", "pointsExpire", "usageIngest", "changesApply"}
MUTATION_FIELDS = sorted(set(SCHEMA.mutation_type.fields) - SKIP_MUTATIONS)


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


offsets = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-12))])
datetimes = st.one_of(
    st.datetimes(timezones=offsets).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),  # naive
    st.sampled_from(
        [
            "9999-12-31T23:59:59-12:00",
            "0001-01-01T00:00:00+14:00",
            "2026-02-30T00:00:00+08:00",
            "not a date",
            "",
        ]
    ),
)
SCALARS = {
    "DateTime": datetimes.map(_string),
    "JSON": st.one_of(
        st.integers().map(lambda n: graphql.IntValueNode(value=str(n))),
        st.text(max_size=20).map(_string),
    ),
    "UUID": st.one_of(st.uuids().map(str), st.text(max_size=40)).map(_string),
    # a file travels in the multipart request's map, never in the document: only null fits here
    "Upload": st.just(graphql.NullValueNode()),
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def _masked(body) -> list[dict]:
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    return [e for e in errors if e.get("message") == "Internal error."]


async def check(api, token: str | None, document: str) -> None:
    client = api.as_(token)
    response = await client.post(document)
    assert response.status_code < 500, (document, response.text[:500])
    assert response.status_code in (200, 400), (document, response.text[:500])
    masked = _masked(response.json())
    assert not masked, (document, masked)


@pytest.fixture
async def callers(subscriber, marketing_token):
    return {"anonymous": None, "customer": subscriber.token, "marketing": marketing_token}


@pytest.mark.parametrize("who", ["anonymous", "customer", "marketing"])
@FUZZ
@given(data=st.data())
async def test_fuzzed_queries_never_fail_on_the_server(api, callers, who, data):
    document = data.draw(queries(SCHEMA, custom_scalars=SCALARS))
    await check(api, callers[who], document)


@pytest.mark.parametrize("who", ["anonymous", "customer"])
@FUZZ
@given(data=st.data())
async def test_fuzzed_mutations_never_fail_on_the_server(api, callers, who, data):
    document = data.draw(mutations(SCHEMA, fields=MUTATION_FIELDS, custom_scalars=SCALARS))
    await check(api, callers[who], document)


def test_the_fuzzer_knows_every_custom_scalar():
    custom = {
        name
        for name, kind in SCHEMA.type_map.items()
        if isinstance(kind, graphql.GraphQLScalarType)
        and not name.startswith("__")
        and name not in ("String", "Int", "Float", "Boolean", "ID")
    }
    assert custom <= set(SCALARS), custom - set(SCALARS)
