"""The committed schema keeps the baseline's promise; the checker itself, on a synthetic pair of schemas.

`baseline.graphql` is the SDL clients were last promised.  A field,
argument or enum value may leave `schema.graphql` only once the baseline
marks it `@deprecated`.  `make schema-baseline` records the current schema
as the new baseline, deliberately (see README, "Client code generation").
"""

from __future__ import annotations

import warnings
from pathlib import Path

from graphql import BreakingChangeType

from tests.conftest import ROOT
from tests.schema.compatibility import dangerous_changes, unannounced_breaking_changes

BASELINE = Path(__file__).with_name("baseline.graphql")


class DangerousSchemaChange(UserWarning):
    """A change since the baseline that existing operations may notice (say, a new enum value)."""


def test_the_committed_schema_breaks_nothing_the_baseline_did_not_deprecate():
    baseline, current = BASELINE.read_text(), (ROOT / "schema.graphql").read_text()

    for change in dangerous_changes(baseline, current):
        warnings.warn(f"{change.type.name}: {change.description}", DangerousSchemaChange, stacklevel=1)
    broken = unannounced_breaking_changes(baseline, current)

    assert not broken, (
        "schema.graphql breaks what tests/schema/baseline.graphql promised clients:\n"
        + "".join(f"  {change.type.name}: {change.description}\n" for change in broken)
        + "Deprecate it first and record that in the baseline (`make schema-baseline`), remove it later."
    )


BEFORE = """
type Query { flow(id: ID!): Flow }

type Flow {
  name: String
  title: String @deprecated(reason: "Use `name`.")
  status: Status!
  legacy: Legacy @deprecated(reason: "Nobody reads it.")
}

enum Status {
  ACTIVE
  RUNNING @deprecated(reason: "Use ACTIVE.")
}

type Legacy { code: String }
"""


def changed(old: str, new: str) -> str:
    assert old in BEFORE, old
    return BEFORE.replace(old, new)


def breaking(after: str) -> list[tuple[BreakingChangeType, str]]:
    return [(change.type, change.description) for change in unannounced_breaking_changes(BEFORE, after)]


def test_removing_a_field_breaks_the_promise():
    assert breaking(changed("  name: String\n", "")) == [(BreakingChangeType.FIELD_REMOVED, "Field Flow.name was removed.")]


def test_removing_a_deprecated_field_keeps_the_promise():
    assert breaking(changed('  title: String @deprecated(reason: "Use `name`.")\n', "")) == []


def test_removing_a_deprecated_field_with_the_type_only_it_reached_keeps_the_promise():
    after = changed('  legacy: Legacy @deprecated(reason: "Nobody reads it.")\n', "").replace("type Legacy { code: String }", "")

    assert breaking(after) == []


def test_adding_a_field_keeps_the_promise():
    assert breaking(changed("  name: String\n", "  name: String\n  createdAt: String\n")) == []


def test_changing_a_field_type_breaks_the_promise():
    assert breaking(changed("  name: String\n", "  name: Int\n")) == [
        (BreakingChangeType.FIELD_CHANGED_KIND, "Field Flow.name changed type from String to Int.")
    ]


def test_removing_an_enum_value_breaks_the_promise():
    assert breaking(changed("  ACTIVE\n", "")) == [(BreakingChangeType.VALUE_REMOVED_FROM_ENUM, "Enum value Status.ACTIVE was removed.")]


def test_removing_a_deprecated_enum_value_keeps_the_promise():
    assert breaking(changed('  RUNNING @deprecated(reason: "Use ACTIVE.")\n', "")) == []
