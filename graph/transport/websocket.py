"""GraphQL over WebSocket at `/graphql`: the graphql-transport-ws protocol, for subscriptions.

Strawberry's ASGI view speaks the protocol
(https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md); this
module adds the gateway's rules to it:

- Authentication: the `connection_init` payload's `Authorization`
  (`"Bearer <token>"`, and with AUTH_MODE=platform the tenant headers), each
  else from the upgrade request's headers, checked by the app's
  `graph.guards.auth.Authenticator`.  Any refusal closes the socket with 4403 Forbidden.
- Limits: at most MAX_WEBSOCKET_CONNECTIONS sockets per process (one more
  is closed with 1013 Try Again Later), at most
  MAX_SUBSCRIPTIONS_PER_CONNECTION operations per socket (one more gets an
  `error` message), and the admission of HTTP (`graph.execution.pipeline`:
  documents, query limits, nodes, the tenant's rate limit), checked before
  an operation starts.  A subscription is charged once, when it starts; its
  pushes cost nothing.
- Keep-alive: once the connection is acknowledged, the server sends a
  `ping` every WEBSOCKET_KEEPALIVE_SECONDS (clients answer `pong`).
- Contexts: every operation, and every event a subscription pushes, runs
  with a renewed `Context` of the connection's tenant.
- Errors: shaped and masked as over HTTP (`graph.errors.format_error`).
- JSON: encoded with orjson into text frames (stored JSON is embedded as is).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import orjson
from graphql import GraphQLError, GraphQLFormattedError, OperationType
from starlette.status import WS_1013_TRY_AGAIN_LATER
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import SchemaExtension
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ErrorMessage, SubscribeMessage
from strawberry.types.execution import PreExecutionError, StreamExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from db.notifications import FlowChanges
from db.reader import Reader
from db.tenancy import Tenant
from graph.context import Context
from graph.errors import ClientError, format_error, is_database_unavailable
from graph.execution.compat import StockExecutionContext
from graph.execution.pipeline import OperationPolicy, OperationRequest, Pipeline, Refused
from graph.guards.auth import Authenticator
from graph.guards.persisted import PersistedQuery
from graph.schema.root import build_schema
from graph.settings import Settings

__all__ = ["ClientErrors", "Connection", "ConnectionExecutionContext", "GraphQLWebSocket"]

log = logging.getLogger("flowgate.websocket")

CONNECTION_INIT_TIMEOUT = timedelta(seconds=10)
# Queries belong on HTTP, where the request timeout and the heavy-query bulkhead apply.
_SUBSCRIPTIONS = OperationPolicy(frozenset({OperationType.SUBSCRIPTION}), "Only subscriptions are served over WebSocket; send queries over HTTP.")


@dataclass
class Connection:
    """One socket: what Strawberry passes as the context of its operations.

    Strawberry sets `connection_params` to the `connection_init` payload;
    `GraphQLWebSocket.on_ws_connect` sets `context` once the connection is
    authenticated, before any operation may start.
    """

    headers: Mapping[str, str]
    reader: Reader  # the app's, from its lifespan state
    connection_params: dict[str, object] | None = None
    context: Context | None = None
    expires_at: float | None = None  # when the bearer token expires; the socket closes then


class ConnectionExecutionContext(StockExecutionContext):
    """graphql-core's executor for the operations Strawberry runs (WebSocket ones only).

    Its context value is the `Connection`; resolvers get a renewed copy of
    the connection's `Context` instead, and each subscription event a
    renewed copy of that.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        connection: Connection = self.context_value
        assert connection.context is not None, "operations start only after connection_ack"  # noqa: S101
        self.context_value = connection.context.renewed()

    def build_per_event_executor(self, payload: Any) -> ConnectionExecutionContext:
        executor = cast(ConnectionExecutionContext, super().build_per_event_executor(payload))
        executor.context_value = self.context_value.renewed()
        return executor


def _client_error(error: GraphQLError, phase: str, request_id: str) -> GraphQLError:
    """`error` as `format_error` shows it to clients, as a GraphQLError for Strawberry to send."""
    formatted = format_error(error, phase=phase, request_id=request_id)
    return GraphQLError(formatted["message"], error.nodes, error.source, error.positions, error.path, extensions=formatted["extensions"])


class ClientErrors(SchemaExtension):
    """Shapes and masks the errors of every result Strawberry streams, as HTTP responses do."""

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        errors = getattr(result, "errors", None)
        if errors:
            phase = "validate" if isinstance(result, PreExecutionError) else "execute"
            request_id = uuid.uuid4().hex
            result.errors = [_client_error(error, phase, request_id) for error in errors]  # type: ignore[union-attr]  # those with errors
        yield


def _is_request(payload: object) -> bool:
    """Whether a `subscribe` payload has the shape of a GraphQL request."""
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("query"), str)
        and isinstance(payload.get("variables"), dict | None)
        and isinstance(payload.get("operationName"), str | None)
        and isinstance(payload.get("extensions"), dict | None)
    )


class _TransportHandler(BaseGraphQLTransportWSHandler[Connection, None]):
    """Strawberry's graphql-transport-ws handler, plus server pings and the query limits."""

    view: GraphQLWebSocket
    _pinging: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._pinging is None:
            self._pinging = asyncio.create_task(self._ping())

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # Before acknowledgement, and for a reused id, Strawberry closes the socket: let it.
        if self.connection_acknowledged and message["id"] not in self.operations:
            if not _is_request(message["payload"]):
                await self.handle_invalid_message("The subscribe payload is not a GraphQL request.")
                return
            errors = await self._refusal(message["payload"])
            if errors:
                await self.send_message(ErrorMessage(id=message["id"], type="error", payload=cast(list[GraphQLFormattedError], errors)))
                return
        await super().handle_subscribe(message)

    async def _refusal(self, payload: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Why a well-formed operation may not start, as formatted errors; [] when it may (it is charged then).

        Over the connection's operation limit, or refused by the pipeline's
        admission (`graph.execution.pipeline`): the full text is required,
        and must be listed in trusted-documents mode; over the tenant's rate
        limit, RATE_LIMITED.
        """
        limit = self.max_subscriptions_per_connection
        if limit is not None and len(self.operations) >= limit:
            message = f"A connection may run at most {limit} operations at once; complete one before starting another."
            return Refused.because(message).errors
        request = OperationRequest(
            payload["query"], payload.get("variables"), payload.get("operationName"), PersistedQuery.from_extensions(payload.get("extensions"))
        )
        try:
            await self.view.pipeline.admit(request, _SUBSCRIPTIONS, uuid.uuid4().hex, self._tenant)
        except Refused as refusal:
            return refusal.errors
        except ClientError as error:  # malformed extensions
            return Refused.because(error.message, error.code).errors
        return []

    @property
    def _tenant(self) -> Tenant:
        context = self.context.context
        assert context is not None, "operations start only after connection_ack"  # noqa: S101
        return context.tenant

    async def shutdown(self) -> None:
        if self._pinging is not None:
            self._pinging.cancel()
            with suppress(asyncio.CancelledError):
                await self._pinging
        await super().shutdown()

    async def _ping(self) -> None:
        """Ping every keep-alive interval, and close the socket with 4403 once its token has expired."""
        expiry = self.context.expires_at
        with suppress(WebSocketDisconnected):
            while True:
                interval = cast(float, self.view.keep_alive_interval)  # GraphQLWebSocket always sets it
                if expiry is not None:
                    interval = min(interval, max(expiry - time.time(), 0.0))
                await asyncio.sleep(interval)
                if expiry is not None and time.time() >= expiry:
                    await self.websocket.close(4403, "Forbidden: the token has expired.")
                    return
                await self.send_message({"type": "ping"})


def _credentials(connection: Connection, keys: tuple[str, ...]) -> dict[str, str]:
    """The upgrade request's headers, with the `connection_init` payload's `keys` (any case) in their place."""
    headers = dict(connection.headers)
    params = connection.connection_params if isinstance(connection.connection_params, dict) else {}
    for key, value in params.items():
        if isinstance(key, str) and key.lower() in keys:
            headers[key.lower()] = value if isinstance(value, str) else ""
    return headers


class GraphQLWebSocket(GraphQL[Connection, None]):
    """The ASGI endpoint serving GraphQL over WebSocket (see the module docstring)."""

    graphql_transport_ws_handler_class = _TransportHandler

    def __init__(
        self,
        *,
        pipeline: Pipeline,
        settings: Settings,
        authenticator: Authenticator,
        changes: FlowChanges,
    ) -> None:
        super().__init__(
            build_schema(execution_context_class=ConnectionExecutionContext, extensions=[ClientErrors]),
            graphql_ide=None,
            keep_alive=True,
            keep_alive_interval=settings.websocket_keepalive_seconds,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        )
        self.pipeline = pipeline
        self.settings = settings
        self.authenticator = authenticator
        self.changes = changes
        self.connections = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.connections >= self.settings.max_websocket_connections:
            websocket = WebSocket(scope, receive, send)
            await websocket.accept(await self.pick_websocket_subprotocol(websocket))
            await websocket.close(WS_1013_TRY_AGAIN_LATER, "Too many connections; try again later.")
            return
        self.connections += 1
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.connections -= 1

    async def get_context(self, request: WebSocket, response: WebSocket) -> Connection:  # type: ignore[override]
        return Connection(headers=request.headers, reader=request.state.reader)

    async def on_ws_connect(self, context: Connection) -> UnsetType:
        """Authenticate the connection; raising `ConnectionRejectionError` closes it with 4403."""
        credentials = _credentials(context, self.authenticator.payload_keys)
        try:
            tenant = await self.authenticator.authenticate(credentials, context.reader)
        except ClientError:
            raise ConnectionRejectionError from None
        except Exception as error:
            if not is_database_unavailable(error):
                raise
            log.warning("Cannot check the tenant's access (%s: %s); the socket is refused.", type(error).__name__, error)
            raise ConnectionRejectionError from None
        context.expires_at = self.authenticator.expires_at(credentials)
        context.context = Context.create(
            reader=context.reader,
            tenant=tenant,
            cursor_secret=self.settings.cursor_key,
            request_id=uuid.uuid4().hex,
            changes=self.changes,
        )
        return UNSET

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        # The protocol sends text frames; orjson inlines the stored JSON fragments.
        return orjson.dumps(data).decode()
