"""Optional OpenTelemetry tracing (TELEHALL_OTEL_ENABLED): off by default; when on, one span per
operation named by its type and name, with the request id, and never the query text or an
argument (a login's secret must not reach the trace)."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from server.app import create_app

EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    trace.set_tracer_provider(provider)
    if trace.get_tracer_provider() is not provider:
        pytest.skip("another tracer provider was installed first in this process")
    return EXPORTER


async def post(app, body: dict, headers: dict | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=("10.5.0.1", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
        return await client.post("/graphql", json=body, headers=headers or {})


LOGIN = """mutation SecretLogin($s: String!) { authLogin(input: {msisdn: "13800000000",
  method: PASSWORD, secret: $s, captchaId: "c", captchaAnswer: "literal-answer-9"}) {
  userErrors { code } } }"""


async def test_off_by_default_no_spans(settings, services, spans):
    spans.clear()
    app = create_app(settings, services)
    assert (await post(app, {"query": "{ __typename }"})).status_code == 200
    assert spans.get_finished_spans() == ()


async def test_one_span_per_operation_without_secrets(settings, services, spans):
    spans.clear()
    app = create_app(settings.model_copy(update={"otel_enabled": True}), services)
    response = await post(
        app,
        {"query": LOGIN, "variables": {"s": "Hunter#2468"}, "operationName": "SecretLogin"},
        {"x-request-id": "trace-req-12345"},
    )
    assert response.status_code == 200
    finished = spans.get_finished_spans()
    operation = next(s for s in finished if s.kind is trace.SpanKind.SERVER)
    assert operation.name == "GraphQL mutation SecretLogin"
    assert operation.attributes["telehall.request_id"] == "trace-req-12345"
    assert {s.name for s in finished} >= {"GraphQL parsing", "GraphQL validation"}
    dumped = " ".join(f"{s.name} {dict(s.attributes or {})}" for s in finished)
    assert "Hunter#2468" not in dumped and "literal-answer-9" not in dumped
