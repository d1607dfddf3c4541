"""Optional OpenTelemetry tracing: a span per GraphQL request, a child span per SQL statement.

Off unless OTEL_ENABLED=true, and then only with the `otel` extra installed
(`pip install 'flowgate[otel]'`); the packages are imported only then.  The
exporter is OTLP over HTTP, configured by the SDK's standard variables
(OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, …).
Spans carry the operation name and request id, never variables, parameters
or headers.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from db.instrumentation import current_tracer, use_tracer
from graph.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

__all__ = ["configure_tracing", "request_span"]

_NO_SPAN: AbstractContextManager[Any] = nullcontext()


def configure_tracing(settings: Settings, provider: TracerProvider | None = None) -> None:
    """Trace requests and statements when OTEL_ENABLED, with `provider` (default: OTLP export); else stop tracing.

    Raises RuntimeError naming the extra when tracing is on but OpenTelemetry is not installed.
    """
    if not settings.otel_enabled:
        use_tracer(None)
        return
    if provider is None:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor
        except ImportError:
            raise RuntimeError("OTEL_ENABLED=true needs OpenTelemetry: pip install 'flowgate[otel]'.") from None
        provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "flowgate")}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    use_tracer(provider.get_tracer("flowgate"))


def request_span(operation: str, request_id: str) -> AbstractContextManager[Any]:
    """A server span around one GraphQL request, named for its `graph.observability.metrics.operation_label`."""
    tracer = current_tracer()
    if tracer is None:
        return _NO_SPAN
    from opentelemetry.trace import SpanKind

    attributes = {"graphql.operation.name": operation, "flowgate.request_id": request_id}
    return tracer.start_as_current_span(f"GraphQL {operation}", kind=SpanKind.SERVER, attributes=attributes)
