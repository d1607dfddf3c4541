"""Prometheus metrics of the gateway, served at `/metrics`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from db.instrumentation import SQL_STATEMENTS

__all__ = ["SQL_STATEMENTS", "metrics_endpoint", "observe_request"]

REQUESTS = Histogram("gateway_graphql_request_seconds", "Time spent executing GraphQL requests.")
ERRORS = Counter("gateway_graphql_errors", "GraphQL errors returned to clients, by code.", ["code"])


@contextmanager
def observe_request() -> Iterator[Callable[[list[str]], None]]:
    """Time the block as one GraphQL request; call the yielded function with its error codes."""
    started = time.perf_counter()

    def record_errors(codes: list[str]) -> None:
        for code in codes:
            ERRORS.labels(code=code).inc()

    try:
        yield record_errors
    finally:
        REQUESTS.observe(time.perf_counter() - started)


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
