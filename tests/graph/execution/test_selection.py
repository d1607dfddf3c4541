"""What a query selects below a field, fragments included (graph.execution.selection)."""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode, parse

from graph.execution.selection import Selection


def _selection_of_first_field(query: str) -> Selection:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)}
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    return Selection([field], fragments)


def test_names_are_those_selected_at_the_path():
    selection = _selection_of_first_field("{ rawRecords { edges { cursor node { rowNumber isValid } } nodes { rawData } } }")

    assert selection.names("edges", "node") == {"rowNumber", "isValid"}
    assert selection.names("nodes") == {"rawData"}
    assert selection.names() == {"edges", "nodes"}


def test_names_are_field_names_not_aliases():
    selection = _selection_of_first_field("{ rawRecords { nodes { row: rowNumber data: rawData } } }")

    assert selection.names("nodes") == {"rowNumber", "rawData"}


def test_names_reach_through_fragment_spreads_and_inline_fragments():
    selection = _selection_of_first_field(
        """{ rawRecords { ...Page } }
        fragment Page on RawImportRecordConnection { nodes { rowNumber ... on RawImportRecord { createdAt ...Data } } }
        fragment Data on RawImportRecord { rawData }"""
    )

    assert selection.names("nodes") == {"rowNumber", "createdAt", "rawData"}


def test_names_merge_every_selection_of_the_same_field():
    selection = _selection_of_first_field("{ rawRecords { nodes { rowNumber } nodes { isValid } } }")

    assert selection.names("nodes") == {"rowNumber", "isValid"}


def test_a_path_that_is_not_selected_has_no_names():
    selection = _selection_of_first_field("{ rawRecords { nodes { rowNumber } } }")

    assert selection.names("edges", "node") == frozenset()
