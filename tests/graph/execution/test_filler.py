"""The generated leaf filler completes the common case and leaves every other object to the generic path."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import orjson

from graph.execution.fast.filler import filler
from graph.execution.fast.plan import Step, field_kind
from graph.execution.fast.plans import CompiledSelectionSet
from graph.schema.pagination import Connection, Window
from graph.schema.root import schema

FIELDS = ("rowNumber", "rawData", "isValid", "processedAt")
RECORD_TYPE = schema._schema.get_type("RawImportRecord")
EDGE_TYPE = schema._schema.get_type("RawImportRecordEdge")
CONNECTION_TYPE = schema._schema.get_type("RawImportRecordConnection")


def _steps(type_, names, inlined=None):
    return [Step(name, field_kind(type_.fields[name]), type_.fields[name], [], (inlined or {}).get(name)) for name in names]


def _fill(*sources):
    steps = _steps(RECORD_TYPE, FIELDS)
    results = [dict.fromkeys(FIELDS) for _ in sources]
    slow = filler(steps)(list(sources), results)
    return results, slow


def _record(**overrides):
    return SimpleNamespace(**{"row_number": 1, "raw_data": '{"a": 1}', "is_valid": True, "processed_at": None, **overrides})


def test_leaves_are_filled_with_their_serialized_values():
    processed = datetime(2026, 3, 1, tzinfo=UTC)

    [result], slow = _fill(_record(processed_at=processed))

    assert slow == []
    assert orjson.loads(orjson.dumps(result)) == {"rowNumber": 1, "rawData": {"a": 1}, "isValid": True, "processedAt": processed.isoformat()}


def test_a_null_in_a_nullable_leaf_stays_null():
    [result], slow = _fill(_record(processed_at=None))

    assert slow == []
    assert result["processedAt"] is None


def test_a_null_in_a_non_null_leaf_leaves_that_object_to_the_generic_path():
    results, slow = _fill(_record(), _record(row_number=None), _record(row_number=3))

    assert slow == [1]
    assert [results[0]["rowNumber"], results[2]["rowNumber"]] == [1, 3]


def test_a_value_the_inline_check_refuses_leaves_that_object_to_the_generic_path():
    # An Int beyond 32 bits, and a Boolean given as an int: graphql-core decides what they become.
    _, slow = _fill(_record(row_number=2**31), _record(is_valid=1), _record())

    assert slow == [0, 1]


def test_an_attribute_that_is_missing_leaves_that_object_to_the_generic_path():
    _, slow = _fill(SimpleNamespace(row_number=1), _record())

    assert slow == [0]


def _fill_connections(*connections):
    """`{ edges { cursor node { rowNumber } } nodes { rowNumber } }`, edges and nodes inlined."""
    record = CompiledSelectionSet.of(_steps(RECORD_TYPE, ["rowNumber"]))
    edge = CompiledSelectionSet.of(_steps(EDGE_TYPE, ["cursor", "node"], {"node": record}))
    steps = _steps(CONNECTION_TYPE, ["edges", "nodes"], {"nodes": record, "edges": edge})
    results = [dict.fromkeys(["edges", "nodes"]) for _ in connections]
    slow = CompiledSelectionSet.of(steps).fill(list(connections), results)
    return results, slow


def _connection(*records):
    """A page of `records` whose cursors are "c<row number>"."""
    window = Window(has_next_page=False, has_previous_page=False, cursors_of=lambda items: [f"c{item.row_number}" for item in items], count=None)
    return Connection(nodes=list(records), _window=window)


def test_inlined_objects_and_lists_are_built_in_place():
    [result], slow = _fill_connections(_connection(_record(row_number=1)))

    assert slow == []
    assert result == {"nodes": [{"rowNumber": 1}], "edges": [{"cursor": "c1", "node": {"rowNumber": 1}}]}


def test_each_inlined_object_gets_a_response_object_of_its_own():
    shared = _record(row_number=7)

    [result], _ = _fill_connections(_connection(shared, shared))

    assert result["nodes"][0] == result["nodes"][1] == {"rowNumber": 7}
    assert result["nodes"][0] is not result["nodes"][1]


def test_a_failure_two_levels_down_leaves_the_whole_object_to_the_generic_path():
    null_deep_down = _connection(_record(), _record(row_number=None))

    _, slow = _fill_connections(_connection(_record()), null_deep_down, _connection(_record()))

    assert slow == [1]


def test_a_null_item_or_a_list_that_is_not_a_list_leaves_the_object_to_the_generic_path():
    _, slow = _fill_connections(_connection(None), Connection(nodes=(), _window=_connection()._window))

    assert slow == [0, 1]
