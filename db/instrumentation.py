"""Counting, and optionally tracing, the SQL statements the gateway sends to PostgreSQL."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

__all__ = ["SQL_STATEMENTS", "current_tracer", "statement_span", "use_tracer"]

SQL_STATEMENTS = Counter("gateway_sql_statements", "SQL statements sent to the database by the gateway.")


# OpenTelemetry is optional: without a tracer (the default) a statement's span is a shared no-op.
_tracer: Tracer | None = None
_NO_SPAN: AbstractContextManager[Any] = nullcontext()


def use_tracer(tracer: Tracer | None) -> None:
    """Trace statements (and GraphQL requests, `graph.observability.tracing`) with `tracer`; None stops tracing."""
    global _tracer
    _tracer = tracer


def current_tracer() -> Tracer | None:
    return _tracer


def statement_span(sql: str) -> AbstractContextManager[Any]:
    """A client span around one statement: its SQL text (placeholders, never parameter values)."""
    if _tracer is None:
        return _NO_SPAN
    from opentelemetry.trace import SpanKind

    operation = sql.split(None, 1)[0].upper()
    attributes = {"db.system": "postgresql", "db.operation": operation, "db.statement": sql}
    return _tracer.start_as_current_span(operation, kind=SpanKind.CLIENT, attributes=attributes)
