"""The generated leaf filler completes the common case and leaves every other object to the generic path."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import orjson

from graph.execution.fast.leaves import leaf_filler
from graph.execution.fast.plan import Step, field_kind
from graph.schema.root import schema

FIELDS = ("rowNumber", "rawData", "isValid", "processedAt")
RECORD_TYPE = schema._schema.get_type("RawImportRecord")


def _fill(*sources):
    steps = [Step(name, field_kind(RECORD_TYPE.fields[name]), RECORD_TYPE.fields[name], []) for name in FIELDS]
    results = [dict.fromkeys(FIELDS) for _ in sources]
    slow = leaf_filler(steps)(list(sources), results)
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
