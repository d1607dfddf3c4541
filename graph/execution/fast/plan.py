"""The compiled form of a selection set: what each field is, decided once.

A field is a plain leaf (read and serialized inline), a plain object or list
of objects (recursed into), a batched resolver (`graph.schema.batching`), or anything
else (left to graphql-core).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)

from graph.execution.compat import FieldDetailsList, enum_class, is_default_resolver, plain_method, strawberry_definition
from graph.schema.batching import BatchResolver, batch_resolver

if TYPE_CHECKING:
    from graph.execution.fast.plans import CompiledSelectionSet

__all__ = [
    "BATCHED",
    "COMPOSITE",
    "LEAF",
    "OTHER",
    "FieldKind",
    "Step",
    "completes_as_objects",
    "concrete_object",
    "field_kind",
    "object_list_item",
    "unwrap",
]

LEAF, COMPOSITE, BATCHED, OTHER = range(4)


@dataclass(frozen=True)
class FieldKind:
    """How a (type, field) resolves, decided once per process.

    A LEAF or COMPOSITE value is the source's `attribute`, or `method(source)`
    for a resolver that needs nothing but the object.  A leaf's value `v` goes
    into the response unchanged when the Python expression `passes` (over `v`)
    holds; otherwise `serialize(v)` gives it.
    """

    kind: int
    attribute: str = ""
    serialize: Callable[[Any], Any] | None = None
    non_null: bool = False
    batch: BatchResolver | None = None
    passes: str | None = None
    method: Callable[[Any], Any] | None = None

    def read(self, source: Any) -> Any:
        """The field's value on `source`; a method's exceptions propagate, and so does a missing attribute, as in the stock resolver."""
        return self.method(source) if self.method is not None else getattr(source, self.attribute)


@dataclass(frozen=True)
class Step:
    """One response key of a compiled selection set.

    `inlined` is the compiled selection set of a COMPOSITE field the level's
    filler completes in place (`graph.execution.fast.filler`), or None.
    """

    name: str
    field: FieldKind
    field_def: GraphQLField
    field_details_list: FieldDetailsList
    inlined: CompiledSelectionSet | None = None


def unwrap(type_: GraphQLOutputType) -> tuple[GraphQLOutputType, bool]:
    return (type_.of_type, True) if isinstance(type_, GraphQLNonNull) else (type_, False)


def concrete_object(type_: GraphQLOutputType) -> GraphQLObjectType | None:
    """`type_` if it is an object type whose values need no runtime type check."""
    return type_ if isinstance(type_, GraphQLObjectType) and type_.is_type_of is None else None


def object_list_item(type_: GraphQLOutputType) -> tuple[GraphQLObjectType | None, bool]:
    """The item type of a list of concrete objects, and whether items are non-null."""
    if not isinstance(type_, GraphQLList):
        return None, False
    item, items_non_null = unwrap(type_.of_type)
    return concrete_object(item), items_non_null


def completes_as_objects(type_: GraphQLOutputType) -> bool:
    named, _ = unwrap(type_)
    return concrete_object(named) is not None or object_list_item(named)[0] is not None


def _serializer(leaf: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    """`leaf.serialize`, except that a strawberry enum maps a member to its name by dict lookup, not a scan.

    A member the lookup does not know gives None, which sends the value down the stock path.
    (Built-in scalars need no shortcut here: their values pass unchanged by `_PASSES`.)
    """
    if isinstance(leaf, GraphQLEnumType) and (wrapped := enum_class(leaf)) is not None:
        names = {member: name for name, value in leaf.values.items() for member in wrapped if member.value == value.value}
        return names.get
    return leaf.serialize


_PASSES = {
    "Int": f"type(v) is int and {-(2**31)} <= v < {2**31}",
    "String": "type(v) is str",
    "Boolean": "type(v) is bool",
    "Float": "type(v) is float and v - v == 0",  # finite: graphql-core refuses NaN and infinities
}
"""When a built-in scalar's stock serializer would give the value back unchanged."""


def field_kind(field_def: GraphQLField | None) -> FieldKind:
    definition = strawberry_definition(field_def)
    if field_def is None or definition is None:
        return FieldKind(OTHER)
    named, non_null = unwrap(field_def.type)
    batch = batch_resolver(definition)
    if batch is not None and completes_as_objects(field_def.type):
        return FieldKind(BATCHED, non_null=non_null, batch=batch)
    method = plain_method(definition)
    plain = not field_def.args and is_default_resolver(field_def) and definition.is_basic_field
    if (plain or method) and isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
        return FieldKind(LEAF, definition.python_name, _serializer(named), non_null, passes=_PASSES.get(named.name), method=method)
    if (plain or method) and completes_as_objects(field_def.type):
        return FieldKind(COMPOSITE, definition.python_name, non_null=non_null, method=method)
    return FieldKind(OTHER)
