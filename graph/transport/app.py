"""The Starlette application: `/graphql` (HTTP and WebSocket), GraphiQL's assets, health, readiness and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TypedDict

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from db.notifications import FlowChanges
from db.reader import Reader
from graph.execution.pipeline import Pipeline
from graph.guards.auth import authenticator_for
from graph.guards.persisted import persisted_documents
from graph.guards.rate_limit import rate_limit_for
from graph.observability.logs import configure_logging
from graph.observability.metrics import metrics_endpoint
from graph.observability.tracing import configure_tracing
from graph.schema.root import schema
from graph.schema.types.query import DEFAULT_FLOW_PAGE
from graph.settings import Settings
from graph.transport.draining import Drain
from graph.transport.graphiql import ASSETS_URL, serve_asset
from graph.transport.http import GraphQLEndpoint
from graph.transport.readiness import check, log_report, readiness_endpoint
from graph.transport.websocket import GraphQLWebSocket

__all__ = ["LifespanState", "create_app"]


class LifespanState(TypedDict):
    """What every request finds in `request.state`."""

    reader: Reader


class _Gateway(Starlette):
    """Starlette, with GraphQL's GET and POST requests handed straight to their endpoint.

    Routing and Starlette's exception middleware cost about a tenth of what a
    small query costs; the endpoint needs neither, as it answers every error
    itself (masked, with its request id).  Every other request, GraphQL's
    WebSocket and other methods included, goes through Starlette.
    """

    def __init__(self, graphql: GraphQLEndpoint, **starlette: Any) -> None:
        super().__init__(**starlette)
        self._graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql" and scope["method"] in ("GET", "POST"):
            await self._graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None, *, reader: Reader | None = None, drain_on_sigterm: bool = False) -> Starlette:
    """The gateway as an ASGI app.

    Without a `reader`, the app's lifespan opens one from `settings` and
    closes it at shutdown; a given reader stays the caller's to close.
    Either way the reader reaches the endpoints as the lifespan's state
    (`request.state.reader`).  The lifespan also logs what the role cannot
    see or lacks (`graph.transport.readiness`), runs the process's flow change
    listener (subscriptions), and closes the rate limit's Redis connections at
    shutdown.  With `drain_on_sigterm` (the served app), SIGTERM drains first
    (`graph.transport.draining`).
    """
    settings = settings or Settings.from_env()
    configure_logging(settings)
    configure_tracing(settings)
    # One pipeline and one authenticator per app: HTTP and WebSocket share their caches, rules and rate limit.
    rate_limit = rate_limit_for(settings)
    pipeline = Pipeline(schema._schema, settings, persisted_documents(settings), default_page=DEFAULT_FLOW_PAGE, rate_limit=rate_limit)
    authenticator = authenticator_for(settings)
    endpoint = GraphQLEndpoint(pipeline=pipeline, settings=settings, authenticator=authenticator)
    changes = FlowChanges(settings.database, coalesce_seconds=settings.subscription_coalesce_ms / 1000)
    drain = Drain(settings.drain_seconds)
    websocket = GraphQLWebSocket(pipeline=pipeline, settings=settings, authenticator=authenticator, changes=changes)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[LifespanState]:
        async with AsyncExitStack() as stack:
            serving = reader
            if serving is None:
                serving = await Reader.connect(settings.database)
                stack.push_async_callback(serving.close)
            log_report(await check(serving, settings.database.schema_name))
            if drain_on_sigterm:
                drain.install()
            changes.start()
            stack.push_async_callback(changes.stop)
            if rate_limit is not None:
                stack.push_async_callback(rate_limit.close)
            yield {"reader": serving}

    app = _Gateway(
        endpoint,
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            WebSocketRoute("/graphql", websocket),
            Route("/healthz", healthz),
            Route("/readyz", readiness_endpoint(settings.database.schema_name, drain)),
            Route("/metrics", metrics_endpoint()),
            *([Route(ASSETS_URL + "/{name}", serve_asset)] if settings.serves_graphiql else []),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
