"""GraphQL over HTTP: the `/graphql` endpoint.

Follows the GraphQL-over-HTTP draft: GET for queries, POST with a JSON body,
`application/graphql-response+json` (4xx for request errors) or legacy
`application/json` (200 for GraphQL errors) as the client accepts.
Browsers asking for HTML get GraphiQL, where it is on (`GRAPHIQL`).  Requests that a browser could have
sent cross-site without a CORS preflight are refused (`graph.guards.csrf`), and a
request may name its document by hash (`graph.guards.persisted`).

Every refused request is counted once, by the status it is answered with
and its reason (`gateway_graphql_refusals_total`).  A batch (a JSON list)
is one request: its operations are admitted, charged to the tenant's rate
limit and run one after another, each answered in its place, a refusal
(RATE_LIMITED included) answering that operation only; the batch itself is
answered 200.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import Response

from db.tenancy import Tenant
from graph.context import Context
from graph.errors import BadUserInput, ClientError, Forbidden, IdentityProviderUnavailable, Unauthenticated, is_database_unavailable
from graph.execution.pipeline import OperationPolicy, OperationRequest, Outcome, Pipeline, Refused
from graph.guards.auth import Authenticator
from graph.guards.csrf import CSRF_MESSAGE, is_preflighted
from graph.guards.persisted import PersistedQuery
from graph.observability.logs import log_fields
from graph.observability.metrics import RefusalReason, count_errors, count_refusal, operation_label, timed_request
from graph.observability.tracing import request_span
from graph.settings import Settings
from graph.transport.graphiql import GraphiQLPage

__all__ = ["GraphQLEndpoint"]

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_GET = OperationPolicy(
    frozenset({OperationType.QUERY}), "Only queries may be sent with GET; use POST.", status=405, json_status=None, headers={"Allow": "POST"}
)
_POST = OperationPolicy(
    frozenset({OperationType.QUERY, OperationType.MUTATION}),
    "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP.",
)

log = logging.getLogger("flowgate.http")


def _refused(status: int, message: str, reason: RefusalReason, code: str = "BAD_USER_INPUT", headers: dict[str, str] | None = None) -> Refused:
    """A request refused before any operation is looked at (method, CSRF, media types, body, credentials)."""
    return Refused.because(message, code, reason=reason, status=status, headers=headers)


def _negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header; None when nothing acceptable is offered.

    The acceptable type with the highest quality wins, `application/graphql-response+json`
    on a tie; no Accept header means `application/graphql-response+json`.
    """
    if not accept:
        return GRAPHQL_RESPONSE
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media_type, *parameters = (piece.strip().lower() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type == GRAPHQL_RESPONSE:
            candidate = (quality, 1, GRAPHQL_RESPONSE)
        elif media_type in (JSON, "application/*", "*/*"):
            candidate = (quality, 0, JSON)
        else:
            continue
        if quality > 0 and (best is None or candidate > best):
            best = candidate
    return best[2] if best else None


def _params(payload: Any) -> OperationRequest:
    """The parameters of one GraphQL-over-HTTP request; raises a 400 `RequestError` when malformed.

    `query` must be a string, unless `extensions.persistedQuery` names the document; `variables`
    and `extensions` objects or null; `operationName` a string or null (GraphQL-over-HTTP
    §Request Parameters).  Of `extensions`, only `persistedQuery` is read.
    """
    if not isinstance(payload, dict):
        raise _refused(400, "The request body must be a JSON object.", "malformed")
    query, variables, operation_name = payload.get("query"), payload.get("variables"), payload.get("operationName")
    extensions = payload.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise _refused(400, "`extensions` must be a JSON object.", "malformed")
    try:
        persisted = PersistedQuery.from_extensions(extensions)
    except ClientError as error:
        raise _refused(400, error.message, "malformed", error.code) from None
    if not (isinstance(query, str) or (query is None and persisted is not None)):
        raise _refused(400, "The request must carry a `query` string.", "malformed")
    if variables is not None and not isinstance(variables, dict):
        raise _refused(400, "`variables` must be a JSON object.", "malformed")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _refused(400, "`operationName` must be a string.", "malformed")
    return OperationRequest(query, variables, operation_name, persisted)


def _json_argument(request: Request, name: str) -> Any:
    """The JSON-decoded query-string argument `name`, None when absent or empty."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _refused(400, f"`{name}` must be JSON.", "malformed") from None


def _query_string_params(request: Request) -> OperationRequest:
    args = request.query_params
    return _params(
        {
            "query": args.get("query"),
            "variables": _json_argument(request, "variables"),
            "operationName": args.get("operationName"),
            "extensions": _json_argument(request, "extensions"),
        }
    )


class GraphQLEndpoint:
    """The ASGI endpoint serving GraphQL queries (and GraphiQL to browsers)."""

    def __init__(self, *, pipeline: Pipeline, settings: Settings, authenticator: Authenticator) -> None:
        self.pipeline = pipeline
        self.settings = settings
        self.cursor_secret = settings.cursor_key
        self.authenticator = authenticator
        self.graphiql = GraphiQLPage(settings) if settings.serves_graphiql else None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """The response to `request`; an unexpected exception is logged under the request id and masked."""
        if self.graphiql is not None and self._wants_graphiql(request):
            return self.graphiql.response()
        media_type = _negotiate(request.headers.get("accept"))
        request_id = uuid.uuid4().hex
        with log_fields(request_id=request_id):
            try:
                return await self._handle(request, media_type, request_id)
            except Exception:
                log.exception("request %s: INTERNAL_SERVER_ERROR", request_id)
                extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
                return self._respond({"errors": [{"message": "Internal server error.", "extensions": extensions}]}, 500, media_type or JSON)

    @staticmethod
    def _wants_graphiql(request: Request) -> bool:
        """A browser opening `/graphql`: a GET without a query that accepts HTML."""
        return request.method == "GET" and "query" not in request.query_params and "text/html" in request.headers.get("accept", "")

    async def _authenticate(self, request: Request) -> Tenant:
        """The request's tenant; raises `Refused` (401, 400, 403, or 503 with the database or the identity provider down) to refuse it."""
        try:
            return await self.authenticator.authenticate(request.headers, request.state.reader)
        except Unauthenticated as error:
            raise _refused(401, error.message, "credentials", error.code, {"WWW-Authenticate": "Bearer"}) from None
        except Forbidden as error:
            raise _refused(403, error.message, "credentials", error.code) from None
        except BadUserInput as error:
            raise _refused(400, error.message, "credentials", error.code) from None
        except IdentityProviderUnavailable as error:
            raise _refused(503, error.message, "unavailable", error.code) from None
        except Exception as error:
            if not is_database_unavailable(error):
                raise
            log.warning("Cannot check the tenant's access (%s: %s).", type(error).__name__, error)
            raise _refused(503, "The database is unavailable; try again shortly.", "unavailable", "SERVICE_UNAVAILABLE") from None

    async def _handle(self, request: Request, media_type: str | None, request_id: str) -> Response:
        try:
            if request.method not in ("GET", "POST"):
                raise _refused(405, "GraphQL is served over GET and POST only.", "method", headers={"Allow": "GET, POST"})
            if self.settings.csrf_prevention and not is_preflighted(request.headers):
                raise _refused(400, CSRF_MESSAGE, "csrf")
            if media_type is None:
                raise _refused(406, f"Accept {GRAPHQL_RESPONSE} or {JSON}.", "accept")
            params = await self._read(request)
            tenant = await self._authenticate(request)
        except Refused as refusal:
            count_errors(refusal.codes)
            return self._error(refusal, media_type or JSON)
        async with request.state.reader.for_request() as reader:
            context = Context.create(reader=reader, tenant=tenant, cursor_secret=self.cursor_secret, request_id=request_id)
            return await self._execute(request, params, context, media_type, request_id)

    async def _execute(
        self, request: Request, params: OperationRequest | list[OperationRequest], context: Context, media_type: str, request_id: str
    ) -> Response:
        policy = _GET if request.method == "GET" else _POST
        operation = "batch" if isinstance(params, list) else operation_label(params.operation_name)
        with timed_request(operation), log_fields(operation=operation), request_span(operation, request_id):
            if isinstance(params, list):
                outcomes = [await self._run_batched(item, policy, context, request_id) for item in params]
                return self._respond([o.body for o in outcomes], 200, media_type)
            try:
                admitted = await self.pipeline.admit(params, policy, request_id, context.tenant)
            except Refused as refusal:
                return self._error(refusal, media_type)
            outcome = await self.pipeline.execute(admitted, context=context, request_id=request_id)
        # Execution can fail as a whole too (variables that do not coerce): a request error, as in validation.
        return self._respond(outcome.body, 400 if outcome.request_error and media_type == GRAPHQL_RESPONSE else 200, media_type)

    async def _read(self, request: Request) -> OperationRequest | list[OperationRequest]:
        if request.method == "GET":
            return _query_string_params(request)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise _refused(415, "POST requests must have Content-Type: application/json.", "content_type")
        body = await self._body(request)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise _refused(400, "The request body is not valid JSON.", "malformed") from None
        if isinstance(payload, list):
            if not 1 <= len(payload) <= self.settings.max_batch_size:
                raise _refused(400, f"A batch must hold 1 to {self.settings.max_batch_size} operations.", "malformed")
            return [_params(item) for item in payload]
        return _params(payload)

    async def _body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _refused(413, f"The request body exceeds {limit} bytes.", "body_size")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _refused(413, f"The request body exceeds {limit} bytes.", "body_size")
            chunks.append(chunk)
        return b"".join(chunks)

    async def _run_batched(self, params: OperationRequest, policy: OperationPolicy, context: Context, request_id: str) -> Outcome:
        """One operation of a batch, admitted and charged in its turn: a refusal (RATE_LIMITED too) answers that operation only."""
        try:
            admitted = await self.pipeline.admit(params, policy, request_id, context.tenant)
        except Refused as refusal:
            return Outcome(refusal.body, request_error=True, codes=refusal.codes)
        return await self.pipeline.execute(admitted, context=context, request_id=request_id)

    def _respond(self, body: Any, status: int, media_type: str) -> Response:
        return Response(orjson.dumps(body), status_code=status, media_type=f"{media_type}; charset=utf-8")

    def _error(self, refusal: Refused, media_type: str) -> Response:
        """The response to a refused request, counted once here by its status and reason."""
        status = refusal.json_status if refusal.json_status is not None and media_type == JSON else refusal.status
        count_refusal(status, refusal.reason)
        response = self._respond(refusal.body, status, media_type)
        response.headers.update(refusal.headers)
        return response
