"""Validation rules that bound the size of a query: depth and aliases.

Fragments are expanded where they are spread, so depth and aliases hidden
in fragments count in full; each fragment is measured once (linear time even
for fragments spread many times) and a fragment cycle is never followed (the
spec's NoFragmentCycles rule reports it).  Introspection fields are not
measured: GraphiQL's own introspection query is deep by nature, and
introspection is switched off as a whole in production.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation import ValidationRule

from graph.errors import validation_error

__all__ = ["measure_operation", "query_limit_rule"]

_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


def measure_operation(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[int, int]:
    """The operation's field depth and alias count, with fragments expanded."""
    measured: dict[str, tuple[int, int]] = {}

    def measure(selection_set: SelectionSetNode | None, visiting: frozenset[str]) -> tuple[int, int]:
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value in _INTROSPECTION_ROOTS:
                    continue
                child_depth, child_aliases = measure(selection.selection_set, visiting)
                depth = max(depth, child_depth + 1)
                aliases += child_aliases + (selection.alias is not None)
                continue
            if isinstance(selection, InlineFragmentNode):
                child_depth, child_aliases = measure(selection.selection_set, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visiting or name not in fragments:
                    continue
                if name not in measured:
                    measured[name] = measure(fragments[name].selection_set, visiting | {name})
                child_depth, child_aliases = measured[name]
            else:  # pragma: no cover - the three selection kinds are exhaustive
                continue
            depth = max(depth, child_depth)
            aliases += child_aliases
        return depth, aliases

    return measure(operation.selection_set, frozenset())


def query_limit_rule(*, max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing operations deeper than `max_depth` or with more than `max_aliases` aliases."""

    class QueryLimitRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
            for operation in node.definitions:
                if not isinstance(operation, OperationDefinitionNode):
                    continue
                depth, aliases = measure_operation(operation, fragments)
                if depth > max_depth:
                    self.report_error(
                        validation_error(
                            f"The query is {depth} fields deep; the limit is {max_depth}.",
                            "QUERY_TOO_COMPLEX",
                            operation,
                        )
                    )
                if aliases > max_aliases:
                    self.report_error(
                        validation_error(
                            f"The query uses {aliases} aliases; the limit is {max_aliases}.",
                            "QUERY_TOO_COMPLEX",
                            operation,
                        )
                    )
            return self.SKIP

    return QueryLimitRule
