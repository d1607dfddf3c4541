"""GraphQL over HTTP: the `/graphql` endpoint.

Follows the GraphQL-over-HTTP draft: GET for queries, POST with a JSON body,
`application/graphql-response+json` (4xx for request errors) or legacy
`application/json` (200 for GraphQL errors) as the client accepts.
Browsers asking for HTML get GraphiQL.  Requests that a browser could have
sent cross-site without a CORS preflight are refused (`graph.csrf`), and a
request may name its document by hash (`graph.persisted`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from db.tenancy import Tenant
from graph.auth import Authenticator
from graph.context import Context
from graph.csrf import CSRF_MESSAGE, is_preflighted
from graph.errors import BadUserInput, ClientError, Forbidden, Unauthenticated, is_database_unavailable
from graph.execution import Executor, Outcome
from graph.graphiql import GraphiQLPage
from graph.logs import log_fields
from graph.metrics import observe_request, operation_label
from graph.persisted import PersistedQuery, PersistedQueryNotFound, PersistedQueryNotInList, persisted_documents
from graph.settings import Settings
from graph.tracing import request_span

__all__ = ["GraphQLEndpoint"]

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# Apollo's value for persisted query errors: a cache must not keep "not found" once the query is registered.
DO_NOT_CACHE = {"Cache-Control": "private, no-cache, must-revalidate"}

log = logging.getLogger("flowgate.http")


class RequestError(Exception):
    """A request that cannot be run as it stands, answered without executing anything.

    `status` is the HTTP status; `json_status`, when given, replaces it for legacy
    `application/json` responses (GraphQL-over-HTTP: 200 for every well-formed request).
    """

    def __init__(
        self,
        status: int,
        message: str,
        code: str = "BAD_USER_INPUT",
        headers: dict[str, str] | None = None,
        *,
        json_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}
        self.json_status = json_status

    @property
    def body(self) -> dict[str, Any]:
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


@dataclass(frozen=True)
class GraphQLParams:
    """One operation's request parameters; `query` is None only when `persisted` names the document."""

    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    persisted: PersistedQuery | None = None


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


def _params(payload: Any) -> GraphQLParams:
    """The parameters of one GraphQL-over-HTTP request; raises a 400 `RequestError` when malformed.

    `query` must be a string, unless `extensions.persistedQuery` names the document; `variables`
    and `extensions` objects or null; `operationName` a string or null (GraphQL-over-HTTP
    §Request Parameters).  Of `extensions`, only `persistedQuery` is read.
    """
    if not isinstance(payload, dict):
        raise RequestError(400, "The request body must be a JSON object.")
    query, variables, operation_name = payload.get("query"), payload.get("variables"), payload.get("operationName")
    extensions = payload.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError(400, "`extensions` must be a JSON object.")
    try:
        persisted = PersistedQuery.from_extensions(extensions)
    except ClientError as error:
        raise RequestError(400, error.message, error.code) from None
    if not (isinstance(query, str) or (query is None and persisted is not None)):
        raise RequestError(400, "The request must carry a `query` string.")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "`variables` must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "`operationName` must be a string.")
    return GraphQLParams(query, variables, operation_name, persisted)


def _json_argument(request: Request, name: str) -> Any:
    """The JSON-decoded query-string argument `name`, None when absent or empty."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise RequestError(400, f"`{name}` must be JSON.") from None


def _query_string_params(request: Request) -> GraphQLParams:
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

    def __init__(self, *, executor: Executor, settings: Settings, authenticator: Authenticator) -> None:
        self.executor = executor
        self.settings = settings
        self.documents = persisted_documents(settings)
        self.cursor_secret = settings.jwt_secret.encode()
        self.authenticator = authenticator
        self.graphiql = GraphiQLPage(settings)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """The response to `request`; an unexpected exception is logged under the request id and masked."""
        if request.method == "GET" and "query" not in request.query_params and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(self.graphiql.html())
        media_type = _negotiate(request.headers.get("accept"))
        request_id = uuid.uuid4().hex
        with log_fields(request_id=request_id):
            try:
                return await self._handle(request, media_type, request_id)
            except Exception:
                log.exception("request %s: INTERNAL_SERVER_ERROR", request_id)
                extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
                return self._respond({"errors": [{"message": "Internal server error.", "extensions": extensions}]}, 500, media_type or JSON)

    async def _authenticate(self, request: Request) -> Tenant:
        """The request's tenant; raises `RequestError` (401, 400, 403, or 503 with the database down) to refuse it."""
        try:
            return await self.authenticator.authenticate(request.headers, request.state.reader)
        except Unauthenticated as error:
            raise RequestError(401, error.message, error.code, {"WWW-Authenticate": "Bearer"}) from None
        except Forbidden as error:
            raise RequestError(403, error.message, error.code) from None
        except BadUserInput as error:
            raise RequestError(400, error.message, error.code) from None
        except Exception as error:
            if not is_database_unavailable(error):
                raise
            log.warning("Cannot check the tenant's access (%s: %s).", type(error).__name__, error)
            raise RequestError(503, "The database is unavailable; try again shortly.", "SERVICE_UNAVAILABLE") from None

    async def _handle(self, request: Request, media_type: str | None, request_id: str) -> Response:
        try:
            if request.method not in ("GET", "POST"):
                raise RequestError(405, "GraphQL is served over GET and POST only.", headers={"Allow": "GET, POST"})
            if self.settings.csrf_prevention and not is_preflighted(request.headers):
                raise RequestError(400, CSRF_MESSAGE)
            if media_type is None:
                raise RequestError(406, f"Accept {GRAPHQL_RESPONSE} or {JSON}.")
            params = await self._read(request)
            tenant = await self._authenticate(request)
        except RequestError as error:
            return self._error(error, media_type or JSON)
        context = Context.create(reader=request.state.reader, tenant=tenant, cursor_secret=self.cursor_secret, request_id=request_id)
        operation = "batch" if isinstance(params, list) else operation_label(params.operation_name)
        with observe_request(operation) as observe, log_fields(operation=operation), request_span(operation, request_id):
            if isinstance(params, list):
                outcomes = [await self._run_batched(item, request.method, context, request_id) for item in params]
                observe([code for outcome in outcomes for code in outcome.codes])
                return self._respond([o.body for o in outcomes], 200, media_type)
            try:
                outcome = await self._run(params, request.method, context, request_id)
            except RequestError as error:
                observe([error.code])
                return self._error(error, media_type)
            observe(outcome.codes)
        status = 400 if outcome.request_error and media_type == GRAPHQL_RESPONSE else 200
        return self._respond(outcome.body, status, media_type)

    async def _read(self, request: Request) -> GraphQLParams | list[GraphQLParams]:
        if request.method == "GET":
            return _query_string_params(request)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise RequestError(415, "POST requests must have Content-Type: application/json.")
        body = await self._body(request)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise RequestError(400, "The request body is not valid JSON.") from None
        if isinstance(payload, list):
            if not 1 <= len(payload) <= self.settings.max_batch_size:
                raise RequestError(400, f"A batch must hold 1 to {self.settings.max_batch_size} operations.")
            return [_params(item) for item in payload]
        return _params(payload)

    async def _body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise RequestError(413, f"The request body exceeds {limit} bytes.")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestError(413, f"The request body exceeds {limit} bytes.")
            chunks.append(chunk)
        return b"".join(chunks)

    async def _run(self, params: GraphQLParams, method: str, context: Context, request_id: str) -> Outcome:
        """The outcome of one operation; raises RequestError when it cannot run at all."""
        query = self._document(params)
        prepared = self.executor.prepare(query)
        if method == "GET" and prepared.operation_type(params.operation_name) not in (None, OperationType.QUERY):
            raise RequestError(405, "Only queries may be sent with GET; use POST.", headers={"Allow": "POST"})
        if prepared.errors:
            return self.executor.request_errors(prepared, request_id)
        self.documents.remember(query, params.persisted)
        return await self.executor.execute(
            prepared.valid_document,
            variables=params.variables,
            operation_name=params.operation_name,
            context=context,
            request_id=request_id,
        )

    async def _run_batched(self, params: GraphQLParams, method: str, context: Context, request_id: str) -> Outcome:
        """`_run` for one operation of a batch: a request error answers that operation only."""
        try:
            return await self._run(params, method, context, request_id)
        except RequestError as error:
            return Outcome(error.body, request_error=True, codes=[error.code])

    def _document(self, params: GraphQLParams) -> str:
        """The text of the document the request runs, from its `query` or its persisted query."""
        try:
            return self.documents.resolve(params.query, params.persisted)
        except PersistedQueryNotFound as error:
            # Apollo Server answers 200 whatever the Accept header, and uncached, so that
            # its clients see the body and retry with the query.
            raise RequestError(200, error.message, error.code, DO_NOT_CACHE) from None
        except PersistedQueryNotInList as error:
            raise RequestError(400, error.message, error.code, DO_NOT_CACHE, json_status=200) from None
        except ClientError as error:
            raise RequestError(400, error.message, error.code) from None

    def _respond(self, body: Any, status: int, media_type: str) -> Response:
        return Response(orjson.dumps(body), status_code=status, media_type=f"{media_type}; charset=utf-8")

    def _error(self, error: RequestError, media_type: str) -> Response:
        status = error.json_status if error.json_status is not None and media_type == JSON else error.status
        response = self._respond(error.body, status, media_type)
        response.headers.update(error.headers)
        return response
