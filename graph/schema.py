"""The Strawberry schema: `Query` is its only root, `MasterFlow` the only entry point."""

from __future__ import annotations

import strawberry

from strawberry.schema.config import StrawberryConfig

from graph.scalars import SCALAR_MAP
from graph.types.query import Query

__all__ = ["schema", "sdl"]

schema = strawberry.Schema(query=Query, config=StrawberryConfig(scalar_map=SCALAR_MAP))


def sdl() -> str:
    """The schema in SDL, as committed in `schema.graphql`."""
    return schema.as_str() + "\n"
