"""How a type's fields come from a database row, declared once per type.

    _FROM_ROW = RowMapping(flow_id="flow_id", name="flow_name", status=Enumerated(MasterFlowStatus, "flow_status"))
    MasterFlow(**_FROM_ROW(row))

A field comes from a column (its name), from an `Enumerated` column (the
field gets the enum member, `<field>_raw` the value as stored), or from a
function of the row (a derivation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graph.schema.types.enums import from_raw

__all__ = ["Enumerated", "RowMapping"]


@dataclass(frozen=True)
class Enumerated:
    """A status or type column: UNKNOWN for values outside the enum, and the stored value beside it.

    NULL is UNKNOWN too, unless `optional`: then the field is null.
    """

    enum: type[Enum]
    column: str
    optional: bool = False


class RowMapping:
    """The keyword arguments a type is built with, from one row (see the module docstring)."""

    def __init__(self, **fields: str | Enumerated | Callable[[Mapping[str, Any]], Any]) -> None:
        self._columns = [(name, source) for name, source in fields.items() if isinstance(source, str)]
        self._enumerated = [(name, source) for name, source in fields.items() if isinstance(source, Enumerated)]
        self._derived = [(name, source) for name, source in fields.items() if callable(source)]

    def __call__(self, row: Mapping[str, Any]) -> dict[str, Any]:
        values = {name: row[column] for name, column in self._columns}
        for name, enumerated in self._enumerated:
            raw = row[enumerated.column]
            member = None if raw is None and enumerated.optional else from_raw(enumerated.enum, raw)
            values[name], values[f"{name}_raw"] = member, raw
        for name, derive in self._derived:
            values[name] = derive(row)
        return values
