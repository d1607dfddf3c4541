"""How a type's fields come from a database row, declared once per type.

    _FROM_ROW = RowMapping(flow_id="flow_id", name="flow_name", status=Enumerated(MasterFlowStatus, "flow_status"))
    _FROM_ROW.instance(MasterFlow, row)

A field comes from a column (its name), from an `Enumerated` column (the
field gets the enum member, `<field>_raw` the value as stored), or from a
function of the row (a derivation).

A page builds hundreds of objects, so each mapping is compiled, on first use,
into one function that reads the columns and sets the object's attributes
in one dictionary, without the dataclass's `__init__` (which costs as much
again as reading the row).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from graph.schema.types.enums import from_raw

__all__ = ["Enumerated", "RowMapping"]

T = TypeVar("T")


@dataclass(frozen=True)
class Enumerated:
    """A status or type column: UNKNOWN for values outside the enum, and the stored value beside it.

    NULL is UNKNOWN too, unless `optional`: then the field is null.
    """

    enum: type[Enum]
    column: str
    optional: bool = False

    def member(self, raw: str | None) -> Enum | None:
        return None if raw is None and self.optional else from_raw(self.enum, raw)


class RowMapping:
    """The attributes a type's objects get from a row (see the module docstring)."""

    def __init__(self, **fields: str | Enumerated | Callable[[Mapping[str, Any]], Any]) -> None:
        self._fields = fields
        self._build: Callable[[Mapping[str, Any]], Any] | None = None

    def instance(self, cls: type[T], row: Mapping[str, Any]) -> T:
        """An object of `cls` (a dataclass whose fields are the mapping's) holding `row`'s values."""
        build = self._build
        if build is None:
            build = self._build = self._compile(cls)
        obj: T = build(row)
        return obj

    def _compile(self, cls: type) -> Callable[[Mapping[str, Any]], Any]:
        """`row -> cls object`, as generated source: a dict literal of the fields, set as the object's `__dict__`."""
        given: dict[str, Any] = {"_cls": cls, "_new": object.__new__}
        items: list[str] = []
        for index, (name, source) in enumerate(self._fields.items()):
            if isinstance(source, str):
                items.append(f"{name!r}: row[{source!r}]")
            elif isinstance(source, Enumerated):
                given[f"_enum{index}"] = source.member
                items.append(f"{name!r}: _enum{index}(row[{source.column!r}])")
                items.append(f"{name + '_raw'!r}: row[{source.column!r}]")
            else:
                given[f"_derive{index}"] = source
                items.append(f"{name!r}: _derive{index}(row)")
        declared = {field.name for field in dataclasses.fields(cls) if field.init}  # resolver fields are not set
        set_here = {name for name in self._fields} | {f"{name}_raw" for name, source in self._fields.items() if isinstance(source, Enumerated)}
        if declared != set_here:
            raise TypeError(f"{cls.__name__}'s fields {sorted(declared ^ set_here)} are not exactly the mapping's.")
        source_code = "def build(row):\n    obj = _new(_cls)\n    obj.__dict__ = {" + ", ".join(items) + "}\n    return obj\n"
        exec(compile(source_code, f"<row mapping of {cls.__name__}>", "exec"), given)  # noqa: S102 - names and columns come from code
        build: Callable[[Mapping[str, Any]], Any] = given["build"]
        return build
