"""The one operation pipeline both transports call: admission, then execution.

`admit` decides whether an operation may run, the same way for HTTP and
WebSocket: its document (sent, persisted or trusted: `graph.guards.persisted`),
parsed and validated once per distinct text (an LRU cache) with the query
limits, the operation types the transport serves (`OperationPolicy`), and
the node limit, which depends on the variables; then it charges the
operation to its tenant's rate limit (`graph.guards.rate_limit`), when
RATE_LIMIT_POINTS is set.  A refusal is `Refused`, with formatted errors,
the HTTP status they call for and the reason it is counted under.  `execute` runs an
admitted operation: an operation still running after REQUEST_TIMEOUT_MS is
stopped at its next await and answered with `data: null` and
SERVICE_UNAVAILABLE; heavy operations wait for a slot of the bulkhead
(`graph.guards.bulkhead`) within that time.  The response to a charged
operation carries `extensions.cost`.  Every admission refusal and
every error code of an executed response is counted here
(`gateway_errors_total`); a transport counts what it refuses before
admission (method, CSRF, body, credentials) with the same `count_errors`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from db.tenancy import Tenant
from graph.errors import ClientError, RequestTimeout, format_error
from graph.execution.compat import StockExecutionContext
from graph.execution.fast import FastExecutionContext
from graph.execution.fast.selfcheck import mismatch
from graph.guards.bulkhead import Bulkhead
from graph.guards.limits import NodeLimit, query_limit_rule
from graph.guards.persisted import PersistedDocuments, PersistedQuery, PersistedQueryNotFound, PersistedQueryNotInList
from graph.guards.rate_limit import Charge, RateLimit, RateLimited
from graph.lru import LRU
from graph.observability.metrics import RefusalReason, count_errors
from graph.settings import Settings

__all__ = ["Admitted", "OperationPolicy", "OperationRequest", "Outcome", "Pipeline", "Prepared", "Refused"]

log = logging.getLogger("flowgate.execution")

# Apollo's value for persisted query errors: a cache must not keep "not found" once the query is registered.
DO_NOT_CACHE = {"Cache-Control": "private, no-cache, must-revalidate"}


@dataclass(frozen=True)
class OperationRequest:
    """One operation as a client sent it; `query` is None only when `persisted` names the document."""

    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    persisted: PersistedQuery | None = None


class Refused(Exception):
    """An operation that may not run, answered without executing anything.

    `errors` are formatted for the client, and `extensions` (if any) go
    beside them.  `status` is the HTTP status;
    `json_status`, when given, replaces it for legacy `application/json`
    responses (GraphQL-over-HTTP: 200 for every well-formed request).
    `reason` is what the refusal is counted as (`gateway_graphql_refusals_total`).
    """

    def __init__(
        self,
        errors: list[dict[str, Any]],
        *,
        reason: RefusalReason,
        status: int = 400,
        json_status: int | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(errors[0]["message"])
        self.errors, self.reason, self.status, self.json_status = errors, reason, status, json_status
        self.headers, self.extensions = dict(headers or {}), extensions

    @classmethod
    def because(cls, message: str, code: str = "BAD_USER_INPUT", *, reason: RefusalReason = "malformed", **http: Any) -> Refused:
        return cls([{"message": message, "extensions": {"code": code}}], reason=reason, **http)

    @property
    def body(self) -> dict[str, Any]:
        """The response body: the errors, and the extensions when there are any."""
        return {"errors": self.errors, "extensions": self.extensions} if self.extensions else {"errors": self.errors}

    @property
    def codes(self) -> list[str]:
        return [error["extensions"]["code"] for error in self.errors]


@dataclass(frozen=True)
class OperationPolicy:
    """The operation types a transport serves, and its refusal of the others."""

    allowed: frozenset[OperationType]
    refusal: str
    status: int = 400
    json_status: int | None = 200
    headers: Mapping[str, str] = field(default_factory=dict)

    def refused(self) -> Refused:
        return Refused.because(self.refusal, reason="operation_type", status=self.status, json_status=self.json_status, headers=self.headers)


@dataclass(frozen=True)
class Admitted:
    """An operation that may run: its document and variables, the nodes it may return (for the bulkhead), and its charge.

    `charge` is None when there is no rate limit (RATE_LIMIT_POINTS=0).
    """

    document: DocumentNode
    operation_name: str | None
    variables: dict[str, Any] | None
    nodes: int
    charge: Charge | None = None


@dataclass
class Outcome:
    """A formatted GraphQL response, and whether it is a request error (no `data`)."""

    body: dict[str, Any]
    request_error: bool = False
    codes: list[str] = field(default_factory=list)


def _outcome(errors: list[GraphQLError], phase: str, request_id: str) -> Outcome:
    formatted = [format_error(error, phase=phase, request_id=request_id) for error in errors]
    return Outcome({"errors": formatted}, request_error=True, codes=[e["extensions"]["code"] for e in formatted])


@dataclass(frozen=True)
class Prepared:
    """A query text after parsing and validation.

    `document` is None only when parsing failed; `errors` are those of
    `phase` ('parse' or 'validate'), empty when the document is valid.
    """

    document: DocumentNode | None
    errors: list[GraphQLError]
    phase: str

    @property
    def valid_document(self) -> DocumentNode:
        """The document, for a query text that parsed and validated; ValueError for one that did not."""
        if self.document is None or self.errors:
            raise ValueError("The document did not parse or validate.")
        return self.document

    def operation_type(self, operation_name: str | None) -> OperationType | None:
        """The type of the operation a request selects, if the document has it."""
        operation = get_operation_ast(self.document, operation_name) if self.document else None
        return operation.operation if operation else None


class Pipeline:
    """Admits and executes operations on one schema (see the module docstring)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        settings: Settings,
        documents: PersistedDocuments,
        *,
        default_page: int,
        rate_limit: RateLimit | None = None,
        cache_size: int = 1024,
    ) -> None:
        """`default_page` is the page size of a connection asked for with neither `first` nor `last` (for the node limit).

        Without a `rate_limit`, operations are not charged.
        """
        self.schema = schema
        self.settings = settings
        self.documents = documents
        self.rate_limit = rate_limit
        rules: list[type[ASTValidationRule]] = [
            *specified_rules,
            MaybeNullValidationRule,
            OneOfInputValidationRule,
            query_limit_rule(max_depth=settings.max_query_depth, max_aliases=settings.max_aliases),
        ]
        if not settings.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules: Collection[type[ASTValidationRule]] = tuple(rules)
        self.hide_suggestions = not settings.introspection
        self.node_limit = NodeLimit(schema, settings.max_nodes, default_page=default_page)
        self.bulkhead = Bulkhead(heavy_nodes=settings.heavy_query_nodes, concurrency=settings.heavy_query_concurrency)
        # FAST_EXECUTOR=off, or internals that no longer fit (graph.execution.fast.selfcheck): the stock executor.
        fast = settings.fast_executor and mismatch() is None
        self.execution_context_class: type = FastExecutionContext if fast else StockExecutionContext
        self._documents: LRU[str, Prepared] = LRU(cache_size)

    def prepare(self, query: str) -> Prepared:
        """The parsed and validated document, or the errors found; cached by query text."""
        prepared = self._documents.get(query)
        if prepared is None:
            prepared = self._prepare(query)
            self._documents.put(query, prepared)
        return prepared

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=self.settings.max_tokens)
        except GraphQLError as error:
            if "tokens" in error.message and "Parsing aborted" in error.message:
                error = GraphQLError(
                    f"The query has more than {self.settings.max_tokens} tokens.",
                    extensions={"code": "QUERY_TOO_COMPLEX"},
                )
            return Prepared(None, [error], "parse")
        errors = validate(self.schema, document, self.rules, max_errors=20, hide_suggestions=self.hide_suggestions)
        return Prepared(document, errors, "validate")

    async def admit(self, request: OperationRequest, policy: OperationPolicy, request_id: str, tenant: Tenant) -> Admitted:
        """The operation, charged to `tenant`, if `policy`'s transport may run it; raises `Refused` (counted) otherwise.

        An operation refused before the charge (a document that does not
        parse, validate or fit the node limit) costs nothing; one the tenant
        lacks the points for is refused with 429 RATE_LIMITED and costs nothing either.
        """
        try:
            admitted = self._admit(request, policy, request_id)
            if self.rate_limit is None:
                return admitted
            return replace(admitted, charge=await self._charge(self.rate_limit, tenant, admitted.nodes))
        except Refused as refusal:
            count_errors(refusal.codes)
            raise

    @staticmethod
    async def _charge(rate_limit: RateLimit, tenant: Tenant, nodes: int) -> Charge:
        try:
            return await rate_limit.charge(tenant, nodes)
        except RateLimited as error:
            raise Refused.because(
                error.message,
                error.code,
                reason="rate_limit",
                status=429,
                headers={"Retry-After": str(error.retry_after)},
                extensions={"cost": error.charge.extension()},
            ) from None

    def _admit(self, request: OperationRequest, policy: OperationPolicy, request_id: str) -> Admitted:
        query = self._document(request)
        prepared = self.prepare(query)
        operation_type = prepared.operation_type(request.operation_name)
        if operation_type is not None and operation_type not in policy.allowed:
            raise policy.refused()
        if prepared.errors:
            raise self._request_errors(prepared.errors, prepared.phase, request_id)
        document = prepared.valid_document
        nodes, too_complex = self.node_limit.measure(document, request.operation_name, request.variables)
        if too_complex is not None:
            raise self._request_errors([too_complex], "execute", request_id)
        self.documents.remember(query, request.persisted)
        return Admitted(document, request.operation_name, request.variables, nodes)

    def _document(self, request: OperationRequest) -> str:
        """The text of the document the request runs, from its `query` or its persisted query."""
        try:
            return self.documents.resolve(request.query, request.persisted)
        except PersistedQueryNotFound as error:
            # Apollo Server answers 200 whatever the Accept header, and uncached, so that
            # its clients see the body and retry with the query.
            raise Refused.because(error.message, error.code, reason="document", status=200, headers=DO_NOT_CACHE) from None
        except PersistedQueryNotInList as error:
            raise Refused.because(error.message, error.code, reason="document", status=400, json_status=200, headers=DO_NOT_CACHE) from None
        except ClientError as error:
            raise Refused.because(error.message, error.code, reason="document") from None

    @staticmethod
    def _request_errors(errors: list[GraphQLError], phase: str, request_id: str) -> Refused:
        formatted = [format_error(error, phase=phase, request_id=request_id) for error in errors]
        return Refused(formatted, reason="document", status=400, json_status=200)

    async def execute(self, admitted: Admitted, *, context: Any, request_id: str) -> Outcome:
        """The response to an admitted operation (its error codes counted), with `extensions.cost` when it was charged."""
        try:
            async with asyncio.timeout(self.settings.request_timeout_ms / 1000) as deadline, self.bulkhead.admit(admitted.nodes):
                result = execute(
                    self.schema,
                    admitted.document,
                    context_value=context,
                    variable_values=dict(admitted.variables) if admitted.variables else None,
                    operation_name=admitted.operation_name,
                    executor_class=self.execution_context_class,
                    hide_suggestions=self.hide_suggestions,
                )
                if not isinstance(result, ExecutionResult):
                    result = await result
        except TimeoutError:
            if not deadline.expired():
                raise
            outcome = self._timed_out(request_id)
        else:
            outcome = self._format(result, request_id)
        count_errors(outcome.codes)
        if admitted.charge is not None:
            outcome.body["extensions"] = {"cost": admitted.charge.extension()}
        return outcome

    def _timed_out(self, request_id: str) -> Outcome:
        log.warning("request %s: stopped at REQUEST_TIMEOUT_MS", request_id)
        timeout = RequestTimeout(f"The request did not finish within {self.settings.request_timeout_ms} ms; try again shortly.")
        error = format_error(GraphQLError(timeout.message, original_error=timeout), phase="execute", request_id=request_id)
        error["extensions"]["requestId"] = request_id  # the log's warning has it too
        return Outcome({"errors": [error], "data": None}, codes=[timeout.code])

    def _format(self, result: ExecutionResult, request_id: str) -> Outcome:
        if not result.errors:
            return Outcome({"data": result.data})
        if result.data is None and all(error.path is None for error in result.errors):
            return _outcome(result.errors, "execute", request_id)
        errors = [format_error(error, phase="execute", request_id=request_id) for error in result.errors]
        return Outcome({"errors": errors, "data": result.data}, codes=[e["extensions"]["code"] for e in errors])
