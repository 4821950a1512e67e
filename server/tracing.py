"""Optional OpenTelemetry tracing of GraphQL operations (TELEHALL_OTEL_ENABLED, off by default).

One SERVER span per operation (name, type, request id, error codes) with child spans for parsing
and validation, through the OpenTelemetry API only: the SDK and the exporter are configured by
the operator's environment (for instance `opentelemetry-instrument telehall serve` with the
OTEL_* variables); without an SDK every span is a no-op.

Why not Strawberry's `OpenTelemetryExtension`: it records the query text and every resolver's
arguments as span attributes (passwords, SMS codes, card PINs and ID numbers among them), and
wraps every resolver in an async span (a list of 100 items costs 100 spans). This one records
neither arguments nor the document, and no per-field spans.
"""

from __future__ import annotations

from collections.abc import Iterator

import structlog
from strawberry.extensions import SchemaExtension

TRACER_NAME = "telehall"


def tracing_extension() -> type[SchemaExtension]:
    try:
        from opentelemetry import trace
        from opentelemetry.trace import SpanKind, Status, StatusCode
    except ImportError as missing:  # the `otel` extra is not installed
        raise RuntimeError(
            "TELEHALL_OTEL_ENABLED=true needs the OpenTelemetry API: pip install 'telehall[otel]'"
        ) from missing

    class HallTracing(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            tracer = trace.get_tracer(TRACER_NAME)
            span = tracer.start_span("GraphQL operation", kind=SpanKind.SERVER)
            self._span = span
            request_id = structlog.contextvars.get_contextvars().get("request_id")
            if request_id:
                span.set_attribute("telehall.request_id", request_id)
            try:
                yield
            finally:
                ec = self.execution_context
                name = _safe(lambda: ec.operation_name) or "anonymous"
                kind = _safe(lambda: ec.operation_type.value) or "unknown"
                span.update_name(f"GraphQL {kind} {name}")
                span.set_attribute("graphql.operation.name", name)
                span.set_attribute("graphql.operation.type", kind)
                errors = getattr(ec.result, "errors", None) or []
                if errors:
                    codes = sorted({str((e.extensions or {}).get("code", "ERROR")) for e in errors})
                    span.set_attribute("graphql.error_codes", codes)
                    span.set_status(Status(StatusCode.ERROR))
                span.end()

        def _child(self, name: str) -> Iterator[None]:
            parent = getattr(self, "_span", None)
            tracer = trace.get_tracer(TRACER_NAME)
            context = trace.set_span_in_context(parent) if parent is not None else None
            child = tracer.start_span(name, context=context)
            try:
                yield
            finally:
                child.end()

        def on_parse(self) -> Iterator[None]:
            yield from self._child("GraphQL parsing")

        def on_validate(self) -> Iterator[None]:
            yield from self._child("GraphQL validation")

    return HallTracing


def _safe(read):
    try:
        return read()
    except Exception:  # an unparsable document has no name or type
        return None
