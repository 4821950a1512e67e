"""GET /metrics: operations and latency by operation name, errors by code, flash-sale stock and
reservations, points redeemed, the outbox backlog, pool use; the request id header and masked
errors; the optional token; multiprocess mode summing several processes."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta

import httpx
import pytest
import strawberry
import structlog
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from db import metrics
from schema.extensions import HallMaskErrors
from server.app import create_app
from tests.api.flash_helpers import buy, create_sale
from tests.conftest import subscribe


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


async def scrape(api) -> dict[tuple[str, tuple], float]:
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def value(found, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_operations_errors_and_latency_are_counted(api, services, settings, db_is_postgres):
    before = await scrape(api)
    query = "query HallPlans { catalog { plans { id } } }"
    for _ in range(3):
        response = await api.client.post("/graphql", json={"query": query})
        assert response.status_code == 200 and "errors" not in response.json()
    login = """mutation BadLogin { authLogin(input: {msisdn: "123", method: PASSWORD,
      secret: "x"}) { userErrors { code } } }"""
    codes = (await api.client.post("/graphql", json={"query": login})).json()
    code = codes["data"]["authLogin"]["userErrors"][0]["code"]
    await api.client.post("/graphql", json={"query": "{ noSuchField }"})
    after = await scrape(api)

    name = "telehall_graphql_requests_total"
    assert (
        value(after, name, operation="HallPlans", type="query")
        - value(before, name, operation="HallPlans", type="query")
        == 3
    )
    latency = "telehall_graphql_duration_seconds_count"
    assert (
        value(after, latency, operation="HallPlans") - value(before, latency, operation="HallPlans")
        == 3
    )
    errors = "telehall_errors_total"
    assert (
        value(after, errors, code=code, kind="user") - value(before, errors, code=code, kind="user")
        == 1
    )
    assert value(after, errors, code="BAD_REQUEST", kind="graphql") >= 1
    assert value(after, "telehall_http_requests_total", route="graphql", status="200") >= 5
    assert value(after, "telehall_redis_pool_connections", state="max") >= 1
    assert ("telehall_sms_outbox_backlog", ()) in after
    if db_is_postgres:  # SQLite has no pool
        assert value(after, "telehall_db_pool_connections", state="max") == settings.db_pool_max


async def test_flash_sale_stock_and_reservations_per_sale(api, services, clock, marketing_token):
    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=5, perSubscriberLimit=2)
    clock.set(datetime.fromisoformat(sale["startsAt"]) + timedelta(seconds=1))
    buyer = await subscribe(services, balance_fen=100_000)
    assert (await buy(api, buyer.token, sale["id"], 2))["reservation"]
    found = await scrape(api)
    assert value(found, "telehall_flash_sale_stock", sale=sale["id"]) == 3
    assert value(found, "telehall_flash_sale_reservations", sale=sale["id"], state="HELD") == 1
    assert value(found, "telehall_flash_sale_reservations", sale=sale["id"], state="PAID") == 0


def sale_labels(found, sale_id: str) -> set[tuple[str, tuple]]:
    return {key for key in found if ("sale", sale_id) in key[1]}


async def test_a_sale_that_ended_or_was_cancelled_leaves_the_metrics(
    api, services, clock, marketing_token
):
    """Per-sale gauges name live sales only: otherwise /metrics grows by every sale ever run."""
    ending = await create_sale(api, marketing_token, clock.now(), unitsTotal=4)
    cancelled = await create_sale(api, marketing_token, clock.now(), unitsTotal=4)
    clock.set(datetime.fromisoformat(ending["startsAt"]) + timedelta(seconds=1))
    buyer = await subscribe(services, balance_fen=100_000)
    assert (await buy(api, buyer.token, cancelled["id"], 1))["reservation"]
    found = await scrape(api)
    for sale in (ending, cancelled):
        assert sale_labels(found, sale["id"]) == {
            ("telehall_flash_sale_stock", (("sale", sale["id"]),)),
            ("telehall_flash_sale_reservations", (("sale", sale["id"]), ("state", "HELD"))),
            ("telehall_flash_sale_reservations", (("sale", sale["id"]), ("state", "PAID"))),
        }
    cancel = "mutation($id: ID!) { flashSaleCancel(id: $id) { userErrors { code } } }"
    done = await api.as_(marketing_token).data(cancel, id=cancelled["id"])
    assert done["flashSaleCancel"]["userErrors"] == []
    found = await scrape(api)
    assert sale_labels(found, cancelled["id"]) == set()
    assert value(found, "telehall_flash_sale_stock", sale=ending["id"]) == 4
    clock.set(datetime.fromisoformat(ending["endsAt"]))  # windows are half-open: it has ended
    response = await api.client.get("/metrics")
    assert ending["id"] not in response.text and cancelled["id"] not in response.text


async def test_points_redeemed_and_job_runs_count(api):
    before = await scrape(api)
    metrics.points_redeemed(120)
    metrics.job_run_finished("billing-close", ok=True, seconds=2.5)
    metrics.job_run_finished("billing-close", ok=False, seconds=0.1)
    after = await scrape(api)
    assert (
        value(after, "telehall_points_redeemed_total")
        - value(before, "telehall_points_redeemed_total")
        == 120
    )
    runs = "telehall_job_runs_total"
    for outcome in ("ok", "failed"):
        assert (
            value(after, runs, job="billing-close", outcome=outcome)
            - value(before, runs, job="billing-close", outcome=outcome)
            == 1
        )


async def test_operation_names_cannot_explode_the_labels(api):
    await api.client.post(
        "/graphql", json={"query": "query Q { __typename }", "operationName": "Q"}
    )
    weird = {"query": "query { __typename }", "operationName": "x" * 500}
    await api.client.post("/graphql", json=weird)
    found = await scrape(api)
    names = {
        dict(k[1]).get("operation") for k in found if k[0] == "telehall_graphql_requests_total"
    }
    assert "x" * 500 not in names


async def test_every_answer_carries_a_request_id(api):
    response = await api.client.post("/graphql", json={"query": "{ __typename }"})
    assert len(response.headers["x-request-id"]) >= 8
    mine = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "lb-1234567890"}
    )
    assert mine.headers["x-request-id"] == "lb-1234567890"
    junk = await api.client.get("/healthz", headers={"x-request-id": "bad id\n!"})
    assert junk.headers["x-request-id"] != "bad id\n!"


async def test_masked_errors_name_the_request_id():
    @strawberry.type
    class Query:
        @strawberry.field
        def boom(self) -> int:
            raise RuntimeError("database password is hunter2")

    schema = strawberry.Schema(query=Query, extensions=[HallMaskErrors])
    structlog.contextvars.bind_contextvars(request_id="req-abcdef12")
    try:
        result = await schema.execute("{ boom }")
    finally:
        structlog.contextvars.clear_contextvars()
    error = result.errors[0]
    assert error.message == "Internal error."
    assert error.extensions == {"code": "INTERNAL", "requestId": "req-abcdef12"}


async def test_a_metrics_token_protects_the_endpoint(settings, services):
    guarded = settings.model_copy(update={"metrics_token": "scrape-me-please"})
    app = create_app(guarded, services)
    transport = httpx.ASGITransport(app=app, client=("10.6.0.1", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await client.get("/metrics", headers={"authorization": "Bearer scrape-me-please"})
        assert right.status_code == 200 and "telehall_graphql_requests" in right.text


COUNT_IN_A_WORKER = """
from db import metrics
metrics.operation_finished("WorkerOp", "query", 0.01)
metrics.points_redeemed(7)
metrics.DB_POOL.labels("in_use").set(2)
"""


@pytest.mark.parametrize("workers", [3])
def test_multiprocess_mode_sums_the_workers(tmp_path, workers):
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for _ in range(workers):
        subprocess.run([sys.executable, "-c", COUNT_IN_A_WORKER], env=env, check=True, timeout=60)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in registry.collect()
        for s in family.samples
    }
    assert value(found, "telehall_graphql_requests_total", operation="WorkerOp", type="query") == 3
    assert value(found, "telehall_points_redeemed_total") == 21


async def test_a_worker_leaves_the_live_sums_when_its_lifespan_ends(tmp_path, monkeypatch):
    import os

    from server.metrics import leave_sums_on_shutdown

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    live = tmp_path / f"gauge_livesum_{os.getpid()}.db"
    live.write_bytes(b"")

    async def app(scope, receive, send):
        await receive()
        await send({"type": "lifespan.shutdown.complete"})

    async def receive():
        return {"type": "lifespan.shutdown"}

    sent = []

    async def send(message):
        sent.append(message)

    await leave_sums_on_shutdown(app)({"type": "lifespan"}, receive, send)
    assert sent == [{"type": "lifespan.shutdown.complete"}]
    assert not live.exists()
