"""Batched fields: declared once, resolved for a whole level of the response by the fast executor.

A batched field's resolver takes every object of a level at once, so a
page of 100 flows loads its discovery flows in one call (and one DataLoader
batch).  `batched` declares such a field; `batch_resolver` is how the fast
executor (`graph.execution.fast`) finds the resolver again.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import strawberry

from graph.execution.compat import argument_values
from graph.execution.selection import Selection

__all__ = ["BatchResolver", "batch_resolver", "batched"]

BatchResolver = Callable[[Sequence[Any], Any, dict[str, Any], Selection], Awaitable[list[Any]]]
"""`(sources, context, arguments, selection) -> one value (or Exception) per source`, arguments by GraphQL name."""

_BATCH = "flowgate.batch"


def batched(resolver: BatchResolver, *, description: str) -> Callable[[Callable[..., Any]], Any]:
    """A strawberry field resolved by `resolver` for a whole level at once, declared by a stub method.

        @batched(_discoveries, description="...")
        async def discovery(self, info: strawberry.Info) -> DiscoveryFlow | None: ...

    The stub gives the field its arguments and type; its body is never run.
    The fast executor calls `resolver(sources, context, arguments, selection)`
    once per level; the stock executor and subscriptions call it with one
    source, through a per-object resolver made here, with the arguments
    coerced as graphql-core coerces them.  `selection` tells what the query
    selects below the field, for resolvers that read only the columns asked for.
    """

    def field(stub: Callable[..., Any]) -> Any:
        @functools.wraps(stub)
        async def resolve_one(self: Any, info: Any, **_: Any) -> Any:
            [value] = await resolver([self], info.context, argument_values(info), Selection.of(info))
            if isinstance(value, Exception):
                raise value
            return value

        return strawberry.field(resolver=resolve_one, description=description, metadata={_BATCH: resolver})

    return field


def batch_resolver(definition: Any) -> BatchResolver | None:
    """The resolver `batched` gave a strawberry field definition, None for any other field."""
    resolver: BatchResolver | None = (definition.metadata or {}).get(_BATCH)
    return resolver
