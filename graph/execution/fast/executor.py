"""A faster executor: selection sets compiled once, objects completed level by level.

graphql-core completes every object on its own: one resolver call, one info
object, one path, one coroutine per field, and for a page of flows that
machinery costs more than the SQL.  `FastExecutionContext` keeps
graphql-core's parsing, variables, root fields and error model, and replaces
the completion of concrete objects:

- Each selection set is compiled once per operation (see `plans`) into
  steps, one per response key: a plain leaf (read and serialized inline), a
  plain object or list of objects (recursed into), a *batched* resolver (see
  `batched`), or anything else (graphql-core's `execute_field`).  A plain
  field is an attribute, or a resolver that needs only the object.
- All objects of one type at one level of the response are completed
  together.  A page of 50 flows is one vector, so their discovery flows are
  one vector, and each batched field runs once for the whole level.  The
  leaves of a level, and the plain objects under it that hold nothing else
  (a page's edges, say), are filled by code generated for the selection set
  (see `filler`).

Errors and null propagation follow the stock executor (the differential test
in tests/graph/execution/test_fast_execution.py checks it): a failed field is nulled and
recorded, or, when non-null, nulls the nearest nullable ancestor.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, cast
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLError,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    Undefined,
)

from graph.execution.compat import (
    FieldDetailsList,
    Path,
    StockExecutionContext,
    error_count,
    gather_with_cancel,
    get_argument_values,
    withdraw_errors,
    withdraw_errors_inside,
)
from graph.execution.fast.plan import (
    BATCHED,
    COMPOSITE,
    LEAF,
    OTHER,
    FieldKind,
    Step,
    completes_as_objects,
    concrete_object,
    field_kind,
    object_list_item,
    unwrap,
)
from graph.execution.fast.plans import CompiledSelectionSet, PlanCache
from graph.execution.selection import Selection
from graph.schema.batching import BatchResolver

__all__ = ["FastExecutionContext"]


@dataclass
class _Level:
    """The objects of one type and selection set at one level of the response, completed together.

    `results[i]` and `failed[i]` are object i's response and propagating
    error; `pending` collects what must be awaited before the level is done.
    """

    parent_type: GraphQLObjectType
    sources: list[Any]
    paths: Paths
    results: list[dict[str, Any]]
    failed: list[GraphQLError | None]
    pending: list[Awaitable[Any]]
    position_context: Any

    def outcome(self) -> list[Any]:
        """Each object's response, or `_Failed` for one that must be null."""
        return [_Failed(error) if error is not None else result for result, error in zip(self.results, self.failed, strict=True)]


def _null_in_non_null(path: Path, field_details_list: FieldDetailsList) -> TypeError:
    """graphql-core's error for a null where the field at `path` (or its list's items) may not be null."""
    return TypeError(f"Cannot return null for non-nullable field {path.typename}.{field_details_list[0].node.name.value}.")


_PENDING = object()
"""A child whose completion is not known yet."""


class Paths(Protocol):
    """The response paths of a vector of values, by index; the executor's are made only when one is read (an error's)."""

    def __getitem__(self, index: int, /) -> Path: ...


class _FieldPaths:
    """The paths of one field of each object at `parents[i]` (or at `parents[indexes[i]]`)."""

    __slots__ = ("indexes", "name", "parents", "typename")

    def __init__(self, parents: Paths, name: str, typename: str, indexes: Sequence[int] | None = None) -> None:
        self.parents, self.name, self.typename, self.indexes = parents, name, typename, indexes

    def __getitem__(self, index: int) -> Path:
        return Path(self.parents[index if self.indexes is None else self.indexes[index]], self.name, self.typename)


class _ChildPaths:
    """The paths of the objects a vector of values holds: value `index` itself, or item `position` of its list."""

    __slots__ = ("parents", "slots")

    def __init__(self, parents: Paths, slots: list[tuple[int, int | None]]) -> None:
        self.parents, self.slots = parents, slots

    def __getitem__(self, slot: int) -> Path:
        index, position = self.slots[slot]
        return self.parents[index] if position is None else Path(self.parents[index], position, None)


class _Failed:
    """An object that must be null because a non-null field in it failed with `error`."""

    __slots__ = ("error",)

    def __init__(self, error: GraphQLError) -> None:
        self.error = error


class FastExecutionContext(StockExecutionContext):
    """graphql-core's executor with concrete objects completed level by level."""

    # Per schema: two schemas in one process may name the same type and field with different resolvers.
    _kinds: ClassVar[WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], FieldKind]]] = WeakKeyDictionary()
    _plans: ClassVar[PlanCache] = PlanCache()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plan = self._plans.plan(self.operation, self.fragment_definitions)

    def build_response(self, data: dict[str, Any] | None) -> Any:
        """graphql-core's response; then the context lets go of its async helpers.

        They are bound methods of the context: a reference cycle that would keep
        the whole request (its loaders and their rows) alive until the next
        garbage collection instead of freeing it as the request ends.
        """
        response = super().build_response(data)
        del self.async_helpers
        return response

    # -- compiling -------------------------------------------------------

    def collect_subfields(self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> Any:
        """graphql-core's field collection, shared by the requests running this operation (see `plans`)."""
        key = (return_type, *(id(details.node) for details in field_details_list))
        cached = self._plan.subfields.get(key)
        if cached is None:
            cached = self._plan.subfields[key] = (field_details_list, super().collect_subfields(return_type, field_details_list))
        return cached[1]

    def _compiled(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> CompiledSelectionSet:
        cached = self._plan.selection_sets.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        steps = []
        kinds = self._kinds.get(self.schema)
        if kinds is None:
            kinds = self._kinds[self.schema] = {}
        for name, field_details_list in grouped_field_set.items():
            field_name = field_details_list[0].node.name.value
            field_def = self.schema.get_field(parent_type, field_name)
            if field_def is None:  # not in the schema: graphql-core leaves the key out as well
                continue
            key = (parent_type.name, field_name)
            field = kinds.get(key)
            if field is None:
                field = kinds[key] = field_kind(field_def)
            if field.kind in (LEAF, COMPOSITE) and field_details_list[0].node.arguments:
                field = FieldKind(OTHER)
            inlined = self._inlined(field_def, field_details_list) if field.kind == COMPOSITE else None
            steps.append(Step(name, field, field_def, field_details_list, inlined))
        compiled = CompiledSelectionSet.of(steps)
        self._plan.selection_sets[id(grouped_field_set)] = (grouped_field_set, compiled)
        return compiled

    def _inlined(self, field_def: Any, field_details_list: FieldDetailsList) -> CompiledSelectionSet | None:
        """The compiled selection set of a plain object field, when its parent's filler can complete it (see `filler`)."""
        named, _ = unwrap(field_def.type)
        child_type = cast(GraphQLObjectType, concrete_object(named) or object_list_item(named)[0])  # a COMPOSITE is one or the other
        compiled = self._compiled(child_type, self.collect_subfields(child_type, field_details_list)[0])
        return compiled if compiled.inlinable() else None

    # -- entry point: graphql-core completes a resolver's value ------------

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if result is None or isinstance(result, Exception) or self.middleware_manager or not completes_as_objects(return_type):
            return super().complete_value(return_type, field_details_list, info, path, result, position_context)
        slot: list[Any] = [None]
        failed: list[GraphQLError | None] = [None]
        pending = self._complete_values(return_type, field_details_list, [path], [result], [slot], 0, failed, position_context)

        def outcome() -> Any:
            if failed[0] is not None:
                raise failed[0]
            return slot[0]

        if pending is None:
            return outcome()

        async def await_outcome() -> Any:
            await pending
            return outcome()

        return await_outcome()

    # -- completing vectors ------------------------------------------------

    def _fail(
        self,
        error: Exception,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
        failed: list[GraphQLError | None],
        index: int,
    ) -> None:
        """Record `error` for the field at `path`; when non-null, mark object `index` failed (first error wins)."""
        propagated = self._propagated(error, return_type, field_details_list, path)
        if propagated is not None and failed[index] is None:
            failed[index] = propagated

    def _propagated(self, error: Exception, return_type: GraphQLOutputType, field_details_list: FieldDetailsList, path: Path) -> GraphQLError | None:
        """Record `error` for the field at `path`; the located error if it must propagate (non-null)."""
        try:
            self.handle_field_error(error, return_type, field_details_list, path)
        except GraphQLError as propagated:
            return propagated
        return None

    def _complete_values(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        paths: Paths,
        values: list[Any],
        targets: list[Any],
        key: Any,
        failed: list[GraphQLError | None],
        position_context: Any,
    ) -> Awaitable[None] | None:
        """Complete each `values[i]` at `paths[i]` into `targets[i][key]`.

        `failed[i]` gets the error when the value's failure must null its
        parent.  Returns an awaitable when nested completion is asynchronous.
        """
        named, non_null = unwrap(return_type)
        object_type = concrete_object(named)
        item_type, items_non_null = object_list_item(named)
        sources: list[Any] = []
        slots: list[tuple[int, int | None]] = []
        list_failures: dict[int, dict[int, GraphQLError | None]] = {}
        for index, value in enumerate(values):
            if value is None or isinstance(value, Exception):
                if value is None and not non_null:
                    targets[index][key] = None
                    continue
                error = value if value is not None else _null_in_non_null(paths[index], field_details_list)
                self._fail(error, return_type, field_details_list, paths[index], failed, index)
                targets[index][key] = None
                continue
            if object_type is not None:
                sources.append(value)
                slots.append((index, None))
                continue
            if not isinstance(value, (list, tuple)):
                if not isinstance(value, Iterable) or isinstance(value, (str, bytes, Mapping)):
                    error = TypeError(f"Expected a list for field {field_details_list[0].node.name.value}.")
                    self._fail(error, return_type, field_details_list, paths[index], failed, index)
                    targets[index][key] = None
                    continue
                value = list(value)
            items: list[Any] = [None] * len(value)
            targets[index][key] = items
            for position, item in enumerate(value):
                if item is None:
                    if items_non_null:
                        list_failures.setdefault(index, {})[position] = None
                    continue
                sources.append(item)
                slots.append((index, position))
        if not sources:
            self._fail_lists(list_failures, return_type, field_details_list, paths, targets, key, failed)
            return None
        child_type = cast(GraphQLObjectType, object_type or item_type)  # sources come from one or the other
        sub_fields = self.collect_subfields(child_type, field_details_list)[0]
        source_paths = _ChildPaths(paths, slots)
        completed, child_failed = self._execute_many(child_type, sources, source_paths, sub_fields, position_context)
        reported = error_count(self)
        placed: set[int] = set()  # slots placed already
        nulled_lists: set[int] = set()  # lists nulled already

        def place(children: list[Any]) -> None:
            """Place each child known (`_PENDING` for one not yet), then null the lists with a failed item."""
            for slot, ((index, position), child) in enumerate(zip(slots, children, strict=True)):
                if child is _PENDING or slot in placed or index in nulled_lists:
                    continue
                placed.add(slot)
                if position is None:
                    if isinstance(child, _Failed):
                        self._fail(child.error, return_type, field_details_list, paths[index], failed, index)
                        child = None
                    targets[index][key] = child
                elif isinstance(child, _Failed):
                    if items_non_null:
                        list_failures.setdefault(index, {})[position] = child.error
                    else:  # a nullable item: null, with its error
                        self._propagated(child.error, child_type, field_details_list, source_paths[slot])
                else:
                    targets[index][key][position] = child
            self._fail_lists(list_failures, return_type, field_details_list, paths, targets, key, failed, since=reported)
            nulled_lists.update(list_failures)
            list_failures.clear()

        if not isinstance(completed, list):
            # What failed without waiting fails now, as graphql-core's depth-first completion finds it before
            # the parent's next field: that field then never runs, and what was pending is abandoned.
            place([_Failed(error) if error is not None else _PENDING for error in child_failed])

            async def await_and_place() -> None:
                place(await completed)

            return await_and_place()
        place(completed)
        return None

    def _fail_lists(
        self,
        list_failures: dict[int, dict[int, GraphQLError | None]],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        paths: Paths,
        targets: list[Any],
        key: Any,
        failed: list[GraphQLError | None],
        *,
        since: int | None = None,
    ) -> None:
        """Null each `[T!]` list with a failed item, as graphql-core's item-by-item completion does.

        `list_failures[i]` maps positions in list i to the item's propagating
        error (None for a null item).  graphql-core stops at the first failed
        item, so only its error counts: what items after it recorded is
        withdrawn, as graphql-core would never have completed them, and so is
        what any item recorded after the errors numbered `since` (its work left
        pending, which graphql-core abandons with the list).
        """
        item_type = cast(GraphQLObjectType, object_list_item(unwrap(return_type)[0])[0])  # a list of objects here
        for index, failures in list_failures.items():
            position = min(failures)
            error = failures[position] or _null_in_non_null(paths[index], field_details_list)
            withdraw_errors(self, paths[index].as_list(), after=position)
            if since is not None:
                withdraw_errors_inside(self, [paths[index].as_list()], since=since)
            failed_item = self._propagated(error, GraphQLNonNull(item_type), field_details_list, Path(paths[index], position, None))
            if failed_item is not None:  # the whole list is null, or its parent is when the list is non-null
                targets[index][key] = None
                self._fail(failed_item, return_type, field_details_list, paths[index], failed, index)

    def _execute_many(
        self,
        parent_type: GraphQLObjectType,
        sources: list[Any],
        paths: Paths,
        grouped_field_set: Any,
        position_context: Any,
    ) -> tuple[list[Any] | Awaitable[list[Any]], list[GraphQLError | None]]:
        """The response objects of `sources`, one selection set, completed together; and which failed so far.

        Each result is a dict, or `_Failed` when a non-null field failed.  As in
        graphql-core, once a field of an object fails that way, the object's
        later fields are not resolved, and its fields awaiting are dropped.
        The failures are also returned as they stand before any waiting, for
        the caller to apply at once.
        """
        compiled = self._compiled(parent_type, grouped_field_set)
        new_result = compiled.template.copy
        level = _Level(parent_type, sources, paths, [new_result() for _ in sources], [None] * len(sources), [], position_context)
        slow = compiled.fill(sources, level.results) if compiled.fill else ()
        failed = level.failed
        for step in compiled.steps:
            kind = step.field.kind
            if kind == LEAF:
                for index in slow:
                    if failed[index] is None:
                        self._leaf(step, level, index)
            elif step.inlined is not None:
                if slow:
                    self._composite(step, level, slow)
            elif kind == COMPOSITE:
                self._composite(step, level)
            elif kind == BATCHED:
                level.pending.append(self._batch(step, level))
            else:
                for index in range(len(sources)):
                    if failed[index] is None:
                        self._execute_other(step, level, index)

        if not level.pending:
            return level.outcome(), failed
        # graphql-core abandons what is pending in an object a non-null field has nulled: what the
        # level's pending work reports inside such objects is withdrawn once it is done.
        nulled = [paths[index].as_list() for index, error in enumerate(failed) if error is not None]

        async def await_pending() -> list[Any]:
            reported = error_count(self)  # the caller has placed what failed without waiting: its errors stay
            if len(level.pending) == 1:
                await level.pending[0]
            else:
                await gather_with_cancel(*level.pending)
            if nulled:
                withdraw_errors_inside(self, nulled, since=reported)
            return level.outcome()

        return await_pending(), failed

    def _composite(self, step: Step, level: _Level, indexes: Sequence[int] | None = None) -> None:
        """Complete a plain object field for every object (or those at `indexes`); if a method raises, graphql-core resolves the field for each."""
        read, sources = step.field.read, level.sources
        try:
            if indexes is None:
                values = [read(source) for source in sources]
            else:
                values = [None] * len(sources)
                for index in indexes:
                    values[index] = read(sources[index])
        except Exception:  # noqa: BLE001 - the stock path reports it
            for index in range(len(sources)) if indexes is None else indexes:
                if level.failed[index] is None:
                    self._execute_other(step, level, index)
            return
        if (awaiting := self._complete_step(step, level, values, indexes)) is not None:
            level.pending.append(awaiting)

    def _leaf(self, step: Step, level: _Level, index: int) -> None:
        """One leaf of one object the generated filler left: read and serialized here, or by graphql-core with its errors."""
        field = step.field
        try:
            value = field.read(level.sources[index])
        except Exception:  # noqa: BLE001 - the stock path reports it
            self._execute_other(step, level, index)
            return
        if value is None:
            if not field.non_null:
                level.results[index][step.name] = None
                return
        else:
            try:
                serialized = cast(Callable[[Any], Any], field.serialize)(value)  # every LEAF has one
            except Exception:  # noqa: BLE001 - the stock path reports it
                serialized = Undefined
            if serialized is not None and serialized is not Undefined:
                level.results[index][step.name] = serialized
                return
        self._execute_other(step, level, index)

    def _execute_other(self, step: Step, level: _Level, index: int) -> None:
        """One field of one object through graphql-core's `execute_field`."""
        results, failed = level.results, level.failed
        try:
            value = self.execute_field(
                level.parent_type,
                level.sources[index],
                step.field_details_list,
                Path(level.paths[index], step.name, level.parent_type.name),
                level.position_context,
            )
        except GraphQLError as error:
            failed[index] = failed[index] or error
            return
        if value is Undefined:
            del results[index][step.name]
        elif self.is_awaitable(value):

            async def settle() -> None:
                if failed[index] is not None:  # a later field failed the object: graphql-core never awaits this one
                    if inspect.iscoroutine(value):
                        value.close()
                    return
                try:
                    results[index][step.name] = await value
                except GraphQLError as error:
                    failed[index] = failed[index] or error

            level.pending.append(settle())
        else:
            results[index][step.name] = value

    async def _batch(self, step: Step, level: _Level) -> None:
        """Resolve a batched field once for every source, then complete the values together."""
        try:
            arguments = get_argument_values(
                step.field_def, step.field_details_list[0].node, self.variable_values, hide_suggestions=self.hide_suggestions
            )
            selection = Selection([details.node for details in step.field_details_list], self.fragment_definitions)
            batch = cast(BatchResolver, step.field.batch)  # every BATCHED field has one
            values = await batch(level.sources, self.context_value, arguments, selection)
        except Exception as error:  # noqa: BLE001 - every source's field fails alike
            values = [error] * len(level.sources)
        if (awaiting := self._complete_step(step, level, values)) is not None:
            await awaiting

    def _complete_step(self, step: Step, level: _Level, values: list[Any], indexes: Sequence[int] | None = None) -> Awaitable[None] | None:
        """Complete one composite field's `values` (one per object) for the level's objects not failed yet, or those at `indexes`.

        Returns an awaitable if that is asynchronous.
        """
        failed = level.failed
        live = [index for index in (range(len(failed)) if indexes is None else indexes) if failed[index] is None]
        if len(live) == len(failed):
            field_paths = _FieldPaths(level.paths, step.name, level.parent_type.name)
            return self._complete_values(
                step.field_def.type, step.field_details_list, field_paths, values, level.results, step.name, failed, level.position_context
            )
        live_failed: list[GraphQLError | None] = [None] * len(live)
        completing = self._complete_values(
            step.field_def.type,
            step.field_details_list,
            _FieldPaths(level.paths, step.name, level.parent_type.name, live),
            [values[index] for index in live],
            [level.results[index] for index in live],
            step.name,
            live_failed,
            level.position_context,
        )

        def merge() -> None:
            for index, error in zip(live, live_failed, strict=True):
                failed[index] = failed[index] or error

        merge()  # what failed without waiting, before the objects' next fields
        if completing is None:
            return None

        async def await_and_merge() -> None:
            await completing
            merge()

        return await_and_merge()
