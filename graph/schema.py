"""The Strawberry schema: `Query` and `Subscription` are its roots, `MasterFlow` the only entry point.

HTTP requests run on graphql-core through `graph.execution`; Strawberry
itself executes only WebSocket operations, so the execution context class
and extensions given here are those of `graph.websocket`.
"""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from graph.scalars import SCALAR_MAP
from graph.types.query import Query
from graph.types.subscription import Subscription
from graph.websocket import ClientErrors, ConnectionExecutionContext

__all__ = ["schema", "sdl"]

schema = strawberry.Schema(
    query=Query,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    execution_context_class=ConnectionExecutionContext,
    extensions=[ClientErrors],
)


def sdl() -> str:
    """The schema in SDL, as committed in `schema.graphql`."""
    return schema.as_str() + "\n"
