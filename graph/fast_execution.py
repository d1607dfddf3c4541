"""A faster execution path for plain fields.

Most of a response's fields are plain attributes (`rowNumber`, `status`,
`edges.node`, ...): strawberry gives them no resolver, so resolving one means
only `getattr`.  graphql-core and strawberry still wrap each of them in a
resolver call with its own info object and argument handling, which is most
of the per-field cost.  `FastExecutionContext` plans each (type, field) once
per process and resolves plain fields inline: a leaf is serialized on the
spot, a composite value goes straight to graphql-core's completion.  Every
other field, and any plain leaf whose value needs an error (null for a
non-null type, a failed serialization), takes graphql-core's path unchanged,
so results and errors are exactly what the stock executor gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from graphql import GraphQLEnumType, GraphQLField, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, Undefined
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

__all__ = ["FastExecutionContext"]


@dataclass(frozen=True)
class _PlainField:
    """How to resolve one plain field: its attribute, and `serialize` for a leaf (None for composites)."""

    attribute: str
    field_def: GraphQLField
    serialize: Callable[[Any], Any] | None
    non_null: bool


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with plain leaf fields resolved inline."""

    _plans: ClassVar[dict[tuple[str, str], _PlainField | None]] = {}

    def _plan(self, parent_type: GraphQLObjectType, field_name: str) -> _PlainField | None:
        key = (parent_type.name, field_name)
        if key in self._plans:
            return self._plans[key]
        plan = None
        field_def = parent_type.fields.get(field_name)
        definition = field_def.extensions.get("strawberry-definition") if field_def else None
        if field_def is not None and definition is not None and not field_def.args:
            field_type = field_def.type
            named = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
            if getattr(field_def.resolve, "_is_default", False) and definition.is_basic_field:
                leaf = isinstance(named, (GraphQLScalarType, GraphQLEnumType))
                plan = _PlainField(
                    definition.python_name, field_def, named.serialize if leaf else None, isinstance(field_type, GraphQLNonNull)
                )
        self._plans[key] = plan
        return plan

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        plan = None if node.arguments or self.middleware_manager else self._plan(parent_type, node.name.value)
        if plan is not None:
            value = getattr(source, plan.attribute, None)
            if value is None:
                if not plan.non_null:
                    return None
            elif plan.serialize is None:
                return self._complete_plain(plan, parent_type, field_details_list, path, value, position_context)
            else:
                try:
                    serialized = plan.serialize(value)
                except Exception:  # noqa: BLE001 - the stock path reports it
                    serialized = Undefined
                if serialized is not None and serialized is not Undefined:
                    return serialized
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _complete_plain(
        self,
        plan: _PlainField,
        parent_type: GraphQLObjectType,
        field_details_list: Any,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """Complete a plain composite value as graphql-core's `execute_field` does after resolving."""
        return_type = plan.field_def.type
        info = self.build_resolve_info(plan.field_def, [d.node for d in field_details_list], parent_type, path)
        try:
            completed = self.complete_value(return_type, field_details_list, info, path, value, position_context)
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
