"""Optional OpenTelemetry tracing (graph/tracing.py, db/instrumentation.py), with the SDK's in-memory exporter."""

from __future__ import annotations

import uuid

import pytest

from db.settings import changed
from graph.observability.tracing import configure_tracing

pytest.importorskip("opentelemetry.sdk", reason="the `test` extra installs opentelemetry-sdk")

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

FLOW_QUERY = "query FlowProbe($flowId: UUID!) { masterFlow(flowId: $flowId) { flowId name } }"


@pytest.fixture
def exporter(settings):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    configure_tracing(changed(settings, otel_enabled=True), provider)
    yield exporter
    configure_tracing(settings)


async def test_a_request_is_a_span_with_a_child_span_per_statement(exporter, http, graphql, tenant):
    flow_id = str(uuid.uuid4())

    response = await http.post(
        "/graphql",
        json={"query": FLOW_QUERY, "operationName": "FlowProbe", "variables": {"flowId": flow_id}},
        headers=graphql.headers(tenant),
    )

    assert response.status_code == 200
    [request] = [span for span in exporter.get_finished_spans() if span.kind == SpanKind.SERVER]
    statements = [span for span in exporter.get_finished_spans() if span.kind == SpanKind.CLIENT]
    assert request.name == "GraphQL FlowProbe"
    assert set(request.attributes) == {"graphql.operation.name", "flowgate.request_id"}
    assert request.attributes["graphql.operation.name"] == "FlowProbe"
    assert len(statements) == 1
    [statement] = statements
    assert statement.parent.span_id == request.context.span_id
    assert (statement.name, statement.attributes["db.system"], statement.attributes["db.operation"]) == ("SELECT", "postgresql", "SELECT")
    for span in (request, statement):
        assert flow_id not in str(dict(span.attributes))  # no variables, no parameters


async def test_nothing_is_traced_when_tracing_is_off(settings, http, graphql, tenant):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    configure_tracing(settings, provider)  # OTEL_ENABLED is false: the provider is not used

    await graphql.data('{ masterFlow(flowId: "00000000-0000-0000-0000-000000000000") { name } }', tenant)

    assert exporter.get_finished_spans() == ()
