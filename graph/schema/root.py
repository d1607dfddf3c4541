"""The Strawberry schema: `Query` and `Subscription` are its roots, `MasterFlow` the only entry point.

`schema` serves HTTP (run on graphql-core by `graph.execution.pipeline`), SDL
and validation.  A transport that lets Strawberry execute (WebSocket) builds
its own with `build_schema`, giving its execution context and extensions:
the schema knows no transport.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig

from graph.schema.scalars import SCALAR_MAP
from graph.schema.types.query import Query
from graph.schema.types.subscription import Subscription

__all__ = ["build_schema", "schema", "sdl"]


def build_schema(**options: Any) -> strawberry.Schema:
    """The schema, with `options` (strawberry.Schema's keyword arguments) on top."""
    return strawberry.Schema(query=Query, subscription=Subscription, config=StrawberryConfig(scalar_map=SCALAR_MAP), **options)


schema = build_schema()


def sdl() -> str:
    """The schema in SDL, as committed in `schema.graphql`."""
    return schema.as_str() + "\n"
