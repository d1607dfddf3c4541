"""The Starlette application: `/graphql`, health, readiness and metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from db.engine import create_read_only_engine
from graph.execution import Executor
from graph.http import GraphQLEndpoint
from graph.metrics import metrics_endpoint
from graph.schema import schema
from graph.settings import Settings

__all__ = ["create_app"]

READINESS_TIMEOUT_SECONDS = 2.0


def _readiness(engine: AsyncEngine):  # noqa: ANN202 - a Starlette endpoint
    async def readyz(request: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(READINESS_TIMEOUT_SECONDS), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means not ready
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    return readyz


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> Starlette:
    """The gateway as an ASGI app; it disposes of `engine` (created from settings if not given) at shutdown."""
    settings = settings or Settings.from_env()
    engine = engine or create_read_only_engine(settings.database)
    endpoint = GraphQLEndpoint(executor=Executor(schema._schema, settings), engine=engine, settings=settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Route("/healthz", healthz),
            Route("/readyz", _readiness(engine)),
            Route("/metrics", metrics_endpoint),
        ],
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    return app
