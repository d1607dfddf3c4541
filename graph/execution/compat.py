"""Every graphql-core and strawberry internal the fast executor (`graph.execution.fast`) reaches into, and checks that they still fit.

The fast executor subclasses strawberry's execution context (itself
graphql-core's `Executor`), overrides some of its methods, calls others, and
reads strawberry's field definitions.  None of that is public API, so it is
written against exact versions (`PINNED`, the pins of pyproject.toml) and
reaches them only through this module.  `version_mismatches` and
`signature_mismatches` say what no longer fits; with
`graph.execution.fast.selfcheck`, which also compares a small query's fast
and stock results, they decide at start-up whether the fast executor runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from enum import Enum
from importlib.metadata import version
from typing import Any

from graphql import GraphQLEnumType, GraphQLField, GraphQLResolveInfo
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import Executor as GraphQLCoreExecutor
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext as StockExecutionContext

__all__ = [
    "PINNED",
    "FieldDetailsList",
    "Path",
    "StockExecutionContext",
    "argument_values",
    "enum_class",
    "error_count",
    "gather_with_cancel",
    "get_argument_values",
    "is_default_resolver",
    "plain_method",
    "raw_info",
    "signature_mismatches",
    "strawberry_definition",
    "version_mismatches",
    "withdraw_errors",
    "withdraw_errors_inside",
]

PINNED = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}
"""The versions the fast executor is written against: pyproject.toml pins these exactly."""

_SIGNATURES: dict[Callable[..., Any], tuple[str, ...]] = {
    GraphQLCoreExecutor.complete_value: ("self", "return_type", "field_details_list", "info", "path", "result", "position_context"),
    GraphQLCoreExecutor.collect_subfields: ("self", "return_type", "field_details_list"),
    GraphQLCoreExecutor.execute_field: ("self", "parent_type", "source", "field_details_list", "path", "position_context"),
    GraphQLCoreExecutor.handle_field_error: ("self", "raw_error", "return_type", "field_details_list", "path"),
    GraphQLCoreExecutor.build_response: ("self", "data"),
    get_argument_values: ("type_def", "node", "variable_values", "fragment_variable_values", "hide_suggestions"),
}
"""What the fast executor overrides or calls, with the parameters it passes."""


def version_mismatches() -> list[str]:
    return [f"{name} {version(name)} is installed, not {pinned}" for name, pinned in PINNED.items() if version(name) != pinned]


def signature_mismatches() -> list[str]:
    return [
        f"{function.__qualname__} takes {tuple(inspect.signature(function).parameters)}, not {expected}"
        for function, expected in _SIGNATURES.items()
        if tuple(inspect.signature(function).parameters) != expected
    ]


def strawberry_definition(field_def: GraphQLField | None) -> Any:
    """The strawberry field behind a graphql-core field, None for one strawberry did not make (introspection)."""
    return field_def.extensions.get("strawberry-definition") if field_def else None


def is_default_resolver(field_def: GraphQLField) -> bool:
    """Whether strawberry resolves the field by reading the attribute of its name."""
    return bool(getattr(field_def.resolve, "_is_default", False))


def plain_method(definition: Any) -> Callable[[Any], Any] | None:
    """The function of a resolver that takes only the object (as `self` or `root`), synchronous, without extensions or permissions."""
    resolver = definition.base_resolver
    if resolver is None or resolver.is_async or resolver.arguments or definition.extensions or definition.permission_classes:
        return None
    if resolver.info_parameter is not None or (resolver.root_parameter is None) == (resolver.self_parameter is None):
        return None
    wrapped: Callable[[Any], Any] = resolver.wrapped_func
    return wrapped


def enum_class(leaf: GraphQLEnumType) -> type[Enum] | None:
    """The Python enum a strawberry enum type wraps."""
    wrapped: type[Enum] | None = getattr(leaf, "wrapped_cls", None)
    return wrapped


def argument_values(info: Any) -> dict[str, Any]:
    """The arguments of the field strawberry's `info` resolves, coerced as graphql-core coerces them (GraphQL names)."""
    raw = raw_info(info)
    field_def = raw.parent_type.fields[raw.field_name]
    return get_argument_values(field_def, raw.field_nodes[0], raw.variable_values)


def raw_info(info: Any) -> GraphQLResolveInfo[Any]:
    """graphql-core's resolve info inside strawberry's `Info` (what its own properties read)."""
    raw: GraphQLResolveInfo[Any] = info._raw_info
    return raw


def withdraw_errors(executor: GraphQLCoreExecutor[Any], list_path: list[str | int], *, after: int) -> None:
    """Forget the field errors `executor` collected inside the items of the list at `list_path` after position `after`."""
    depth = len(list_path)

    def inside(path: list[str | int] | None) -> bool:
        return path is not None and len(path) > depth and path[:depth] == list_path and path[depth] > after  # type: ignore[operator]

    _withdraw(executor, inside, since=0)


def error_count(executor: GraphQLCoreExecutor[Any]) -> int:
    """How many field errors `executor` has collected so far."""
    return len(executor.collected_errors.errors)


def withdraw_errors_inside(executor: GraphQLCoreExecutor[Any], object_paths: list[list[str | int]], *, since: int) -> None:
    """Forget the field errors `executor` collected inside any of the objects at `object_paths`, from its `since`-th error on.

    The objects were nulled: graphql-core never awaits what was pending in
    them, so what that would have reported must not show.
    """

    def inside(path: list[str | int] | None) -> bool:
        return path is not None and any(len(path) > len(prefix) and path[: len(prefix)] == prefix for prefix in object_paths)

    _withdraw(executor, inside, since=since)


def _withdraw(executor: GraphQLCoreExecutor[Any], inside: Callable[[list[str | int] | None], bool], *, since: int) -> None:
    """Forget the field errors from the `since`-th on whose path is `inside`, and every error position `inside`."""
    collected = executor.collected_errors
    if any(inside(error.path) for error in collected.errors[since:]):
        collected._errors[since:] = [error for error in collected.errors[since:] if not inside(error.path)]
        collected._error_positions -= {p for p in collected._error_positions if p is not None and inside(p.as_list())}
