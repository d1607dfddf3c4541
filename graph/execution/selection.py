"""What a query selects below a field, so a resolver can read only those columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from graph.execution.compat import raw_info

__all__ = ["Selection"]


@dataclass(frozen=True)
class Selection:
    """The field nodes of one field of a query, with the document's fragments to expand spreads."""

    field_nodes: Sequence[FieldNode]
    fragments: Mapping[str, FragmentDefinitionNode]

    @classmethod
    def of(cls, info: strawberry.Info) -> Selection:
        """The selection of the field a strawberry resolver is resolving."""
        raw = raw_info(info)
        return cls(raw.field_nodes, raw.fragments)

    def names(self, *path: str) -> frozenset[str]:
        """The names of the fields selected at `path` below this field (response names ignored).

        `Selection(...).names("edges", "node")` for `rawRecords { edges { node { rowNumber isValid } } }`
        is {"rowNumber", "isValid"}.  Fragments are expanded; @skip and @include are not
        evaluated, so the result may hold more names than the response will, never fewer.
        """
        level: list[FieldNode] = list(self.field_nodes)
        for name in path:
            level = [field for field in self._fields(level) if field.name.value == name]
        return frozenset(field.name.value for field in self._fields(level))

    def _fields(self, parents: Iterable[FieldNode]) -> list[FieldNode]:
        """The fields selected directly below `parents`, through fragments."""
        fields: list[FieldNode] = []
        pending: list[SelectionSetNode | None] = [parent.selection_set for parent in parents]
        while pending:
            selection_set = pending.pop()
            for selection in selection_set.selections if selection_set else ():
                if isinstance(selection, FieldNode):
                    fields.append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode) and selection.name.value in self.fragments:
                    pending.append(self.fragments[selection.name.value].selection_set)
        return fields
