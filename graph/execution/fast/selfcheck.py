"""Whether the fast executor may run in this process: the internals it uses still fit, and it still agrees.

`mismatch()` runs once per process: the checks of `graph.execution.compat` (versions,
signatures), then one small query on a schema of its own through both
executors, whose data and errors must be equal.  It returns the first
problem found, or None, and logs the one warning a fallback gets.
"""

from __future__ import annotations

import logging
from functools import cache

import strawberry
from graphql import DocumentNode, ExecutionResult, GraphQLSchema, execute, parse

from graph.execution.compat import StockExecutionContext, signature_mismatches, version_mismatches
from graph.execution.fast.executor import FastExecutionContext

__all__ = ["mismatch"]

log = logging.getLogger("flowgate.execution")


@strawberry.type
class _Item:
    name: str
    size: int | None

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError("fails")

    @strawberry.field
    def required(self) -> str:
        return None  # type: ignore[return-value]  # the non-null error being checked


@strawberry.type
class _Query:
    @strawberry.field
    def items(self) -> list[_Item]:
        return [_Item(name="a", size=1), _Item(name="b", size=None)]

    @strawberry.field
    def maybe(self) -> list[_Item | None] | None:
        return [_Item(name="c", size=3), None]

    @strawberry.field
    def broken(self) -> list[_Item] | None:
        return [_Item(name="d", size=4)]


_QUERY = "{ items { name size fails } maybe { name } broken { name required } }"


def _run(schema: GraphQLSchema, document: DocumentNode, executor_class: type) -> ExecutionResult:
    result = execute(schema, document, executor_class=executor_class)
    if not isinstance(result, ExecutionResult):
        raise TypeError("The self-check's query did not complete synchronously.")
    return result


def _disagreement() -> str | None:
    # Built here, not at import: with FAST_EXECUTOR=off the check never runs.
    schema, document = strawberry.Schema(query=_Query)._schema, parse(_QUERY)
    fast, stock = _run(schema, document, FastExecutionContext), _run(schema, document, StockExecutionContext)
    if fast.data != stock.data or [e.formatted for e in fast.errors or ()] != [e.formatted for e in stock.errors or ()]:
        return "a test query's fast result differs from the stock executor's"
    return None


@cache
def mismatch() -> str | None:
    """Why the fast executor must not run here, or None; warns once when there is a reason."""
    try:
        problem = next(iter(version_mismatches() + signature_mismatches()), None) or _disagreement()
    except Exception as error:  # noqa: BLE001 - any failure of the check is a reason not to run it
        problem = f"its self-check failed ({type(error).__name__}: {error})"
    if problem is not None:
        log.warning("The fast executor is off: %s. Serving with graphql-core's stock executor.", problem)
    return problem
