"""How a type's fields come from a database row, declared once per type.

    _FROM_ROW = RowMapping(flow_id="flow_id", name="flow_name", status=Enumerated(MasterFlowStatus, "flow_status"))
    _FROM_ROW.instance(MasterFlow, row)

A field comes from a column (its name), from an `Enumerated` column (the
field gets the enum member, `<field>_raw` the value as stored), or from a
function of some columns (`Derived`).

A type may read only the columns its query selects (`columns_for`), and
build its objects from such rows (`builder`): a field whose columns were not
read is not set, and is never read, as it was not selected.

A page builds hundreds of objects, so each builder is compiled, on first use,
into one function that reads the columns and sets the object's attributes
in one dictionary, without the dataclass's `__init__` (which costs as much
again as reading the row).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from strawberry.utils.str_converters import to_camel_case

from graph.schema.types.enums import by_value

__all__ = ["Derived", "Enumerated", "RowMapping"]

T = TypeVar("T")
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Enumerated:
    """A status or type column: UNKNOWN for values outside the enum, and the stored value beside it.

    NULL is UNKNOWN too, unless `optional`: then the field is null.
    """

    enum: type[Enum]
    column: str
    optional: bool = False

    def lookup(self) -> dict[str | None, Enum | None]:
        """The member of each stored value; a value not in it means UNKNOWN."""
        members: dict[str | None, Enum | None] = {value: member for value, member in by_value(self.enum).items()}
        if self.optional:
            members[None] = None
        return members


@dataclass(frozen=True)
class Derived:
    """A field computed by `derive(row)` from `columns`."""

    derive: Callable[[Row], Any]
    columns: tuple[str, ...]


Source = str | Enumerated | Derived


def _columns(source: Source) -> tuple[str, ...]:
    if isinstance(source, str):
        return (source,)
    return (source.column,) if isinstance(source, Enumerated) else source.columns


class RowMapping:
    """The attributes a type's objects get from a row (see the module docstring)."""

    def __init__(self, **fields: Source) -> None:
        self._fields = fields
        self._attribute_of_field = {to_camel_case(name): name for name in fields} | {
            to_camel_case(f"{name}_raw"): name for name, source in fields.items() if isinstance(source, Enumerated)
        }
        self._builders: dict[frozenset[str] | None, Callable[[Row], Any]] = {}
        self._checked: type | None = None

    def instance(self, cls: type[T], row: Row) -> T:
        """An object of `cls` (a dataclass whose init fields are the mapping's) holding every field of `row`."""
        build = self._builders.get(None)
        if build is None:
            build = self._builders[None] = self._compile(cls, self._fields)
        obj: T = build(row)
        return obj

    def builder(self, cls: type[T], columns: frozenset[str]) -> Callable[[Row], T]:
        """`row -> cls object` for rows holding `columns`: the fields those columns give, the others unset."""
        build = self._builders.get(columns)
        if build is None:
            fields = {name: source for name, source in self._fields.items() if columns.issuperset(_columns(source))}
            build = self._builders[columns] = self._compile(cls, fields)
        return build

    def columns_for(self, graphql_fields: Iterable[str], reads: Mapping[str, tuple[str, ...]] = {}) -> frozenset[str]:
        """The columns that GraphQL fields of the type need: a mapped field's own, and for a resolver field, those of the attributes `reads` names."""
        by_field = self._attribute_of_field
        attributes = [by_field[name] for name in graphql_fields if name in by_field]
        attributes += [attribute for name in graphql_fields for attribute in reads.get(name, ())]
        return frozenset(column for attribute in attributes for column in _columns(self._fields[attribute]))

    def _compile(self, cls: type, fields: Mapping[str, Source]) -> Callable[[Row], Any]:
        """`row -> cls object`, as generated source: a dict literal of `fields`, set as the object's `__dict__`."""
        if self._checked is not cls:
            self._check_covers(cls)
            self._checked = cls
        given: dict[str, Any] = {"_cls": cls, "_new": object.__new__}
        items: list[str] = []
        for index, (name, source) in enumerate(fields.items()):
            if isinstance(source, str):
                items.append(f"{name!r}: row[{source!r}]")
            elif isinstance(source, Enumerated):
                given[f"_members{index}"], given[f"_unknown{index}"] = source.lookup(), source.enum["UNKNOWN"]
                items.append(f"{name!r}: _members{index}.get(row[{source.column!r}], _unknown{index})")
                items.append(f"{name + '_raw'!r}: row[{source.column!r}]")
            else:
                given[f"_derive{index}"] = source.derive
                items.append(f"{name!r}: _derive{index}(row)")
        code = "def build(row):\n    obj = _new(_cls)\n    obj.__dict__ = {" + ", ".join(items) + "}\n    return obj\n"
        exec(compile(code, f"<row mapping of {cls.__name__}>", "exec"), given)  # noqa: S102 - names and columns come from code
        build: Callable[[Row], Any] = given["build"]
        return build

    def _check_covers(self, cls: type) -> None:
        declared = {field.name for field in dataclasses.fields(cls) if field.init}  # resolver fields are not set
        mapped = set(self._fields) | {f"{name}_raw" for name, source in self._fields.items() if isinstance(source, Enumerated)}
        if declared != mapped:
            raise TypeError(f"{cls.__name__}'s fields {sorted(declared ^ mapped)} are not exactly the mapping's.")
