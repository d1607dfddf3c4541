"""The Strawberry schema: `Query` is its only root, `MasterFlow` the only entry point."""

from __future__ import annotations

import strawberry

from graph.types.query import Query

__all__ = ["schema", "sdl"]

schema = strawberry.Schema(query=Query)


def sdl() -> str:
    """The schema in SDL, as committed in `schema.graphql`."""
    return schema.as_str() + "\n"
