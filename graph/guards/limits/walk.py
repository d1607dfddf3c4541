"""Walking an operation with its fragments expanded, each measured once, cycles never followed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

__all__ = ["MeasureSelections", "fold_operation", "fragments_of"]

_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})

Measure = TypeVar("Measure")
MeasureSelections = Callable[[SelectionSetNode | None, str | None], Measure]


def fold_operation(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    *,
    field: Callable[[FieldNode, str | None, MeasureSelections[Measure]], Measure],
    join: Callable[[Sequence[Measure]], Measure],
    root: str | None = None,
) -> Measure:
    """One measure of the operation, folded from the measures of its fields.

    `field(node, parent, measure)` measures one field of the type named
    `parent` (None when unknown), calling `measure(selection_set, type_name)`
    for its sub-selections; `join(measures)` combines sibling selections (an
    empty list for an empty selection set).  Fragments contribute the measure
    of their selections where they are spread, named ones with their type
    condition as `parent`; `root` is the operation's root type name.
    """
    measured: dict[str, Measure] = {}

    def measure(selection_set: SelectionSetNode | None, parent: str | None, visiting: frozenset[str]) -> Measure:
        parts: list[Measure] = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value not in _INTROSPECTION_ROOTS:
                    parts.append(field(selection, parent, lambda inner, name: measure(inner, name, visiting)))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                parts.append(measure(selection.selection_set, condition.name.value if condition else parent, visiting))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in visiting:
                    continue
                if name not in measured:
                    measured[name] = measure(fragment.selection_set, fragment.type_condition.name.value, visiting | {name})
                parts.append(measured[name])
        return join(parts)

    return measure(operation.selection_set, root, frozenset())


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
