"""A faster executor for selection sets of plain fields.

Most of a response's fields are plain attributes: `rowNumber`, `status`,
`edges`, `node`.  Strawberry gives them no resolver, so resolving one means
only `getattr`.  graphql-core still wraps each of them in a resolver call
with its own info object and path, and completes every object through several
generic layers.  Per field, that machinery costs more than everything else in
a request.

`FastExecutionContext` compiles each selection set once per request into a
list of steps. A plain leaf is read and serialized on the spot. A concrete object, or a list
of them, recurses into its own compiled selection set, whether a plain
attribute or a resolver returned it. Resolvers themselves, abstract types,
and any plain field whose value needs an error (a null for a non-null type,
a failed serialization) take graphql-core's path. Results and errors are
therefore exactly what the stock executor gives, with the same paths and
null propagation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

__all__ = ["FastExecutionContext"]

_LEAF, _COMPOSITE, _OTHER = range(3)


@dataclass(frozen=True)
class _FieldKind:
    """How a (type, field) resolves, decided once per process."""

    kind: int
    attribute: str = ""
    serialize: Callable[[Any], Any] | None = None
    non_null: bool = False


@dataclass(frozen=True)
class _Step:
    """One response key of a compiled selection set."""

    name: str
    field: _FieldKind
    field_details_list: FieldDetailsList
    return_type: GraphQLOutputType


def _unwrap(type_: GraphQLOutputType) -> tuple[GraphQLOutputType, bool]:
    return (type_.of_type, True) if isinstance(type_, GraphQLNonNull) else (type_, False)


def _concrete_object(type_: GraphQLOutputType) -> GraphQLObjectType | None:
    """`type_` if it is an object type whose values need no runtime type check."""
    return type_ if isinstance(type_, GraphQLObjectType) and type_.is_type_of is None else None


def _object_list_item(type_: GraphQLOutputType) -> tuple[GraphQLObjectType | None, bool]:
    """The item type of a list of concrete objects, and whether items are non-null."""
    if not isinstance(type_, GraphQLList):
        return None, False
    item, items_non_null = _unwrap(type_.of_type)
    return _concrete_object(item), items_non_null


def _serializer(leaf: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    """`leaf.serialize`, but for strawberry enums a dict lookup from member to name.

    Strawberry's enum serializer scans every value per call; a value the dict
    does not know yields None, which sends the field down the stock path.
    """
    wrapped = getattr(leaf, "wrapped_cls", None)
    if isinstance(leaf, GraphQLEnumType) and wrapped is not None:
        names = {member: name for name, value in leaf.values.items() for member in wrapped if member.value == value.value}
        return names.get
    return leaf.serialize


def _field_kind(field_def: GraphQLField | None) -> _FieldKind:
    definition = field_def.extensions.get("strawberry-definition") if field_def else None
    plain = (
        definition is not None
        and not field_def.args
        and getattr(field_def.resolve, "_is_default", False)
        and definition.is_basic_field
    )
    if not plain:
        return _FieldKind(_OTHER)
    named, non_null = _unwrap(field_def.type)
    if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
        return _FieldKind(_LEAF, definition.python_name, _serializer(named), non_null)
    if _concrete_object(named) or _object_list_item(named)[0]:
        return _FieldKind(_COMPOSITE, definition.python_name, None, non_null)
    return _FieldKind(_OTHER)


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with plain fields resolved by compiled selection sets."""

    _kinds: ClassVar[dict[tuple[str, str], _FieldKind]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled: dict[int, tuple[Any, list[_Step]]] = {}

    def _steps(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[_Step]:
        cached = self._compiled.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        steps = []
        for name, field_details_list in grouped_field_set.items():
            field_name = field_details_list[0].node.name.value
            key = (parent_type.name, field_name)
            field = self._kinds.get(key)
            field_def = parent_type.fields.get(field_name)
            if field is None:
                field = self._kinds[key] = _field_kind(field_def)
            if field_details_list[0].node.arguments or field_def is None:
                field = _FieldKind(_OTHER)
            steps.append(_Step(name, field, field_details_list, field_def.type if field_def else None))
        # Keep the field set alive with its steps, so its id is never reused while cached.
        self._compiled[id(grouped_field_set)] = (grouped_field_set, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if self.middleware_manager:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = {}
        pending: list[str] = []
        for step in self._steps(parent_type, grouped_field_set):
            result = self._execute_step(step, parent_type, source_value, path, position_context)
            if result is Undefined:
                continue
            results[step.name] = result
            if self.is_awaitable(result):
                pending.append(step.name)
        if not pending:
            return results

        async def gather() -> dict[str, Any]:
            if len(pending) == 1:  # nothing to run concurrently: spare the tasks
                results[pending[0]] = await results[pending[0]]
                return results
            # Concurrently, so the fields' DataLoader keys land in the same batches.
            awaited = await gather_with_cancel(*(results[name] for name in pending))
            results.update(zip(pending, awaited, strict=True))
            return results

        return gather()

    def _execute_step(
        self, step: _Step, parent_type: GraphQLObjectType, source: Any, path: Path | None, position_context: Any
    ) -> Any:
        field = step.field
        if field.kind != _OTHER:
            value = getattr(source, field.attribute, None)
            if value is None:
                if not field.non_null:
                    return None
            elif field.kind == _LEAF:
                try:
                    serialized = field.serialize(value)
                except Exception:  # noqa: BLE001 - the stock path reports it
                    serialized = Undefined
                if serialized is not None and serialized is not Undefined:
                    return serialized
            else:
                field_path = Path(path, step.name, parent_type.name)
                return self._with_error_handling(
                    lambda: self.complete_value(
                        step.return_type, step.field_details_list, None, field_path, value, position_context
                    ),
                    step.return_type,
                    step.field_details_list,
                    field_path,
                )
        return self.execute_field(
            parent_type, source, step.field_details_list, Path(path, step.name, parent_type.name), position_context
        )

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """Complete concrete objects and lists of them through compiled selection sets."""
        if result is not None and not isinstance(result, Exception) and not self.middleware_manager:
            named, _ = _unwrap(return_type)
            object_type = _concrete_object(named)
            if object_type is not None:
                sub_fields = self.collect_subfields(object_type, field_details_list)[0]
                return self.execute_fields(object_type, result, path, sub_fields, position_context)
            item_type, items_non_null = _object_list_item(named)
            if item_type is not None and isinstance(result, (list, tuple)):
                return self._complete_object_list(item_type, items_non_null, field_details_list, path, result, position_context)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _complete_object_list(
        self,
        item_type: GraphQLObjectType,
        items_non_null: bool,
        field_details_list: FieldDetailsList,
        path: Path,
        result: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> Any:
        sub_fields = self.collect_subfields(item_type, field_details_list)[0]
        guarded_type = GraphQLNonNull(item_type) if items_non_null else item_type
        items: list[Any] = []
        for index, item in enumerate(result):
            item_path = Path(path, index, None)
            if item is None:
                if items_non_null:
                    self.handle_field_error(
                        TypeError(f"Cannot return null for non-nullable list items of type {item_type}."),
                        guarded_type,
                        field_details_list,
                        item_path,
                    )
                items.append(None)
                continue
            items.append(
                self._with_error_handling(
                    lambda item=item, item_path=item_path: self.execute_fields(
                        item_type, item, item_path, sub_fields, position_context
                    ),
                    guarded_type,
                    field_details_list,
                    item_path,
                )
            )
        pending = [index for index, item in enumerate(items) if self.is_awaitable(item)]
        if not pending:
            return items

        async def gather() -> list[Any]:
            awaited = await gather_with_cancel(*(items[index] for index in pending))
            for index, item in zip(pending, awaited, strict=True):
                items[index] = item
            return items

        return gather()

    def _with_error_handling(
        self, complete: Callable[[], Any], return_type: GraphQLOutputType, field_details_list: FieldDetailsList, path: Path
    ) -> Any:
        try:
            completed = complete()
        except Exception as error:  # noqa: BLE001 - located and recorded like any field error
            self.handle_field_error(error, return_type, field_details_list, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as error:  # noqa: BLE001
                self.handle_field_error(error, return_type, field_details_list, path)
                return None

        return await_completed()
