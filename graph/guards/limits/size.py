"""The validation rule refusing queries too deep or with too many aliases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
)
from graphql.validation import ValidationRule

from graph.errors import validation_error
from graph.guards.limits.walk import MeasureSelections, fold_operation, fragments_of

__all__ = ["measure_operation", "query_limit_rule"]


def measure_operation(operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]) -> tuple[int, int]:
    """The operation's field depth and alias count, with fragments expanded."""

    def field(node: FieldNode, _parent: str | None, measure: MeasureSelections[tuple[int, int]]) -> tuple[int, int]:
        depth, aliases = measure(node.selection_set, None)
        return depth + 1, aliases + (node.alias is not None)

    def join(parts: Sequence[tuple[int, int]]) -> tuple[int, int]:
        return max((depth for depth, _ in parts), default=0), sum(aliases for _, aliases in parts)

    return fold_operation(operation, fragments, field=field, join=join)


def query_limit_rule(*, max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing operations deeper than `max_depth` or with more than `max_aliases` aliases."""

    class QueryLimitRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            fragments = fragments_of(node)
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


# Possible nodes (GitHub's node limit)
