"""Whether this gateway can serve: `/readyz`, and the same check once at start-up, in the log.

Both run `db.preflight.inspect_schema` as the gateway's own role, so they see
what its queries would see.  `/readyz` answers 200 `{"status": "ready",
"warnings": [...]}` when the gateway can serve, else 503 `{"status":
"unavailable", "problems": [...], "warnings": [...]}`: a database that does not
answer within `READINESS_TIMEOUT_SECONDS` is a problem too.  From SIGTERM on
(`graph.transport.draining`) it answers 503 `{"status": "draining"}` at once.  The messages
name tables, columns, triggers and indexes, never a row or a connection string.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from db.preflight import SchemaReport, inspect_schema
from db.reader import Reader
from graph.transport.draining import Drain

__all__ = ["READINESS_TIMEOUT_SECONDS", "check", "log_report", "readiness_endpoint"]

log = logging.getLogger("flowgate.readiness")

READINESS_TIMEOUT_SECONDS = 2.0


async def check(reader: Reader, schema: str) -> SchemaReport:
    """What `reader`'s role can see of `schema`, or the one problem that the database does not answer."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS), reader.connection() as connection:
            return await inspect_schema(connection, schema)
    except Exception as error:  # noqa: BLE001 - any failure to answer means not ready
        return SchemaReport(problems=(f"The database does not answer ({type(error).__name__}).",))


def log_report(report: SchemaReport) -> None:
    """One log line per problem (error) and per warning."""
    for problem in report.problems:
        log.error("Cannot serve: %s", problem)
    for warning in report.warnings:
        log.warning(warning)


def readiness_endpoint(schema: str, drain: Drain) -> Callable[[Request], Awaitable[JSONResponse]]:
    """`/readyz` on `schema`, through the reader of the app's lifespan state; 503 once `drain` has begun."""

    async def readyz(request: Request) -> JSONResponse:
        if drain.draining:
            return JSONResponse({"status": "draining"}, status_code=503)
        report = await check(request.state.reader, schema)
        if report.can_serve:
            return JSONResponse({"status": "ready", "warnings": list(report.warnings)})
        return JSONResponse({"status": "unavailable", "problems": list(report.problems), "warnings": list(report.warnings)}, status_code=503)

    return readyz
