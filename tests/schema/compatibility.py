"""Schema compatibility: what a baseline SDL promised clients, and the changes that break that promise.

The promise of a baseline is everything a client can reach without using a
field, argument, input field or enum value that the baseline marks
`@deprecated`.  A change that graphql-core's `find_breaking_changes` reports
against the promise is *unannounced*: it removes or changes something that
was never deprecated.  Removing what the baseline deprecated, with the types
reachable only through it, breaks no promise.

    >>> baseline = 'type Query { name: String  title: String @deprecated }'
    >>> [c.description for c in unannounced_breaking_changes(baseline, 'type Query { name: String }')]
    []
    >>> [c.description for c in unannounced_breaking_changes(baseline, 'type Query { title: String }')]
    ['Field Query.name was removed.']
"""

from __future__ import annotations

from typing import Any

from graphql import (
    REMOVE,
    BreakingChange,
    DangerousChange,
    EnumValueDefinitionNode,
    FieldDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    InputValueDefinitionNode,
    Node,
    Visitor,
    VisitorAction,
    build_ast_schema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    parse,
    visit,
)

__all__ = ["dangerous_changes", "promise", "unannounced_breaking_changes"]

_DEPRECATABLE = (FieldDefinitionNode, InputValueDefinitionNode, EnumValueDefinitionNode)


class _DeprecatedRemover(Visitor):
    """Removes every field, argument, input field and enum value marked `@deprecated` from an SDL document."""

    def enter(self, node: Node, *_: Any) -> VisitorAction:
        if isinstance(node, _DEPRECATABLE) and any(d.name.value == "deprecated" for d in node.directives or ()):
            return REMOVE
        return None


def promise(sdl: str) -> GraphQLSchema:
    """The schema `sdl` promises: `sdl` without its deprecated parts and the types reachable only through them.

    Object types that implement an interface are kept whether reachable or
    not, as a schema keeps them for its interfaces.
    """
    undeprecated = build_ast_schema(visit(parse(sdl), _DeprecatedRemover()))
    implementations = [type_ for type_ in undeprecated.type_map.values() if isinstance(type_, GraphQLObjectType) and type_.interfaces]
    return GraphQLSchema(
        query=undeprecated.query_type,
        mutation=undeprecated.mutation_type,
        subscription=undeprecated.subscription_type,
        types=implementations,
        directives=undeprecated.directives,
    )


def unannounced_breaking_changes(baseline: str, current: str) -> list[BreakingChange]:
    """The breaking changes from SDL `baseline` to SDL `current` to parts that `baseline` did not deprecate."""
    return find_breaking_changes(promise(baseline), build_schema(current))


def dangerous_changes(baseline: str, current: str) -> list[DangerousChange]:
    """The changes from SDL `baseline` to SDL `current` that can change what existing operations get back."""
    return find_dangerous_changes(build_schema(baseline), build_schema(current))
