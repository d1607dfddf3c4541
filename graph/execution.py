"""Running one GraphQL operation: cached parse and validation, then execution.

Documents are parsed and validated once per distinct query text (an LRU
cache), so a repeated query pays only for execution.  The node limit,
which depends on the variables, is checked just before execution.  Each
error is formatted for the client with its `extensions.code`.  An operation
still running after REQUEST_TIMEOUT_MS is stopped at its next await and
answered with `data: null` and SERVICE_UNAVAILABLE; heavy operations wait
for a slot of the bulkhead (`graph.bulkhead`) within that time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
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

from graph.bulkhead import Bulkhead
from graph.compat import StockExecutionContext
from graph.errors import RequestTimeout, format_error
from graph.fast_execution import FastExecutionContext
from graph.fast_execution.selfcheck import mismatch
from graph.limits import NodeLimit, query_limit_rule
from graph.lru import LRU
from graph.settings import Settings

__all__ = ["Executor", "Outcome", "Prepared"]

log = logging.getLogger("flowgate.execution")

_SUBSCRIPTION_OVER_HTTP = "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP."


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


class Executor:
    """Parses, validates (with the configured limits) and executes operations on one schema."""

    def __init__(self, schema: GraphQLSchema, settings: Settings, cache_size: int = 1024) -> None:
        self.schema = schema
        self.settings = settings
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
        self.node_limit = NodeLimit(schema, settings.max_nodes)
        self.bulkhead = Bulkhead(heavy_nodes=settings.heavy_query_nodes, concurrency=settings.heavy_query_concurrency)
        # FAST_EXECUTOR=off, or internals that no longer fit (graph.fast_execution.selfcheck): the stock executor.
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

    async def execute(
        self,
        document: DocumentNode,
        *,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        context: Any,
        request_id: str,
    ) -> Outcome:
        operation = get_operation_ast(document, operation_name)
        if operation is not None and operation.operation is OperationType.SUBSCRIPTION:
            # Subscriptions stream their results: they are served by graph.websocket.
            return _outcome([GraphQLError(_SUBSCRIPTION_OVER_HTTP, extensions={"code": "BAD_USER_INPUT"})], "execute", request_id)
        nodes, too_complex = self.node_limit.measure(document, operation_name, variables)
        if too_complex is not None:
            return _outcome([too_complex], "execute", request_id)
        try:
            async with asyncio.timeout(self.settings.request_timeout_ms / 1000) as deadline, self.bulkhead.admit(nodes):
                result = execute(
                    self.schema,
                    document,
                    context_value=context,
                    variable_values=dict(variables) if variables else None,
                    operation_name=operation_name,
                    executor_class=self.execution_context_class,
                    hide_suggestions=self.hide_suggestions,
                )
                if not isinstance(result, ExecutionResult):
                    result = await result
        except TimeoutError:
            if not deadline.expired():
                raise
            return self._timed_out(request_id)
        return self._format(result, request_id)

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

    def request_errors(self, prepared: Prepared, request_id: str) -> Outcome:
        """The response to a document that failed to parse or validate."""
        return _outcome(prepared.errors, prepared.phase, request_id)
