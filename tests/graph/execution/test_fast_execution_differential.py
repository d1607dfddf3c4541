"""The fast executor against graphql-core's stock one, on generated queries and data: equal data, errors, paths, messages.

Three sources of cases:
- hypothesis-generated selections over a small strawberry schema whose
  resolvers return values, nulls, errors, and lists of all three (drawn
  per object), through every path of the fast executor (attributes, plain
  methods, resolvers taking `info`, async resolvers);
- graphql-core's own null-propagation and list cases (its tests'
  `test_nonnull.py` and `test_lists.py`, over object lists);
- hypothesis-generated queries over Flowgate's real schema (without a
  database: the roots resolve to errors or nothing, so this exercises
  validation-clean documents of every shape).
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import (
    ExecutionResult,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.execution.compat import StockExecutionContext
from graph.execution.fast import FastExecutionContext

CASES = settings(max_examples=200, deadline=None, database=None)


def outcome(schema: GraphQLSchema, query: str, executor_class: type, root: Any = None) -> tuple[Any, list[dict[str, Any]]]:
    result = execute(schema, parse(query), root_value=root, executor_class=executor_class)
    if not isinstance(result, ExecutionResult):
        result = asyncio.run(_awaited(result))
    return result.data, [error.formatted for error in result.errors or ()]


async def _awaited(result: Any) -> ExecutionResult:
    return await result


def assert_same(schema: GraphQLSchema, query: str, root: Any = None) -> None:
    fast, stock = outcome(schema, query, FastExecutionContext, root), outcome(schema, query, StockExecutionContext, root)
    assert fast[0] == stock[0], query
    # graphql-core completes depth first and the fast executor level by level, so errors may come in another
    # order; each error, with its message, path and locations, must be the same.
    assert sorted(fast[1], key=repr) == sorted(stock[1], key=repr), query


# 1. A small strawberry schema whose every field does what its object's `plan` says


ERROR, NULL = "error", "null"


def _act(plan: dict[str, Any], name: str, make: Any) -> Any:
    what = plan.get(name, NULL)
    if what == ERROR:
        raise ValueError(f"{name} failed")
    if what == NULL:
        return None
    return make(what)


def _node(what: Any) -> Node:
    return Node(plan=what)


def _nodes(what: list[Any]) -> list[Node | None]:
    return [None if item == NULL else ErrorNode() if item == ERROR else _node(item) for item in what]


@strawberry.type
class Node:
    plan: strawberry.Private[dict[str, Any]]

    @strawberry.field
    def leaf(self) -> int | None:
        return _act(self.plan, "leaf", int)

    @strawberry.field
    def leaf_required(self) -> int:
        return _act(self.plan, "leaf_required", int)

    @strawberry.field
    def child(self) -> Node | None:
        return _act(self.plan, "child", _node)

    @strawberry.field
    def child_required(self) -> Node:
        return _act(self.plan, "child_required", _node)

    @strawberry.field
    def children(self) -> list[Node | None] | None:
        return _act(self.plan, "children", _nodes)

    @strawberry.field
    def children_required(self) -> list[Node]:
        return _act(self.plan, "children_required", _nodes)

    @strawberry.field
    def children_items_required(self) -> list[Node] | None:
        return _act(self.plan, "children_items_required", _nodes)

    @strawberry.field
    def with_info(self, info: strawberry.Info) -> Node | None:
        return _act(self.plan, "with_info", _node)

    @strawberry.field
    async def later(self) -> Node | None:
        await asyncio.sleep(0)
        return _act(self.plan, "later", _node)


class ErrorNode(Node):
    """An item whose every field fails."""

    def __init__(self) -> None:
        super().__init__(plan=dict.fromkeys(_FIELDS, ERROR))


_LEAVES = ("leaf", "leaf_required")
_OBJECTS = ("child", "child_required", "with_info", "later")
_LISTS = ("children", "children_required", "children_items_required")
_FIELDS = _LEAVES + _OBJECTS + _LISTS


@strawberry.type
class Query:
    @strawberry.field
    def root(self, root: strawberry.Parent[dict]) -> Node | None:
        return Node(plan=root)


SMALL_SCHEMA = strawberry.Schema(query=Query)._schema


def plans(depth: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """What each field of an object does, to `depth` levels."""
    outcomes = st.sampled_from([ERROR, NULL])
    nested = outcomes if depth == 0 else st.one_of(outcomes, st.deferred(lambda: plans(depth - 1)))
    items = st.lists(nested, max_size=3)
    return st.fixed_dictionaries(
        {},
        optional={
            **{name: st.one_of(outcomes, st.integers(-5, 5)) for name in _LEAVES},
            **{name: nested for name in _OBJECTS},
            **{name: st.one_of(outcomes, items) for name in _LISTS},
        },
    )


def selections(depth: int = 3) -> st.SearchStrategy[str]:
    """A selection set over `Node`, with aliases, to `depth` levels."""
    leaf = st.sampled_from(_LEAVES).map(strawberry_name)
    if depth == 0:
        field = leaf
    else:
        nested = st.tuples(st.sampled_from(_OBJECTS + _LISTS).map(strawberry_name), st.deferred(lambda: selections(depth - 1)))
        field = st.one_of(leaf, nested.map(lambda pair: f"{pair[0]} {pair[1]}"))
    aliased = st.tuples(st.sampled_from(["", "a: ", "b: "]), field).map("".join)
    return st.lists(aliased, min_size=1, max_size=4).map(lambda fields: "{ " + " ".join(fields) + " }")


def strawberry_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")  # the stock executor abandons them
@CASES
@given(plan=plans(), selection=selections())
def test_generated_queries_over_nulls_errors_and_lists_match_the_stock_executor(plan, selection):
    assert_same(SMALL_SCHEMA, "{ root " + selection + " }", plan)


@pytest.mark.parametrize(
    ("selection", "plan"),
    [
        # Items 0 and 2 fail inside a field their level's filler inlines: both go to the generic path, item 1 does not.
        ("{ children { child { leaf } } }", {"children": [{"child": ERROR}, {"child": {"leaf": 1}}, {"child": ERROR}]}),
        ("{ children { childRequired { leafRequired } } }", {"children": [{}, {"child_required": {"leaf_required": 1}}, {"child_required": {}}]}),
        # A null item, and a failure two inlined levels down.
        ("{ childrenItemsRequired { leaf } children { leaf } }", {"children_items_required": [{"leaf": 1}, NULL], "children": [NULL, {"leaf": 2}]}),
        ("{ child { children { childRequired { leaf } } } }", {"child": {"children": [{"child_required": {"leaf": 1}}, {"child_required": ERROR}]}}),
    ],
)
def test_objects_the_filler_leaves_get_every_inlined_field_from_the_generic_path(selection, plan):
    assert_same(SMALL_SCHEMA, "{ root " + selection + " }", plan)


@pytest.mark.parametrize(
    ("selection", "plan"),
    [
        ("{ childrenRequired { later { leaf } } leaf }", {"children_required": [NULL, {"later": {"leaf": 1}}], "leaf": ERROR}),
        ("{ childrenRequired { later { leaf } } child { leaf } }", {"children_required": [NULL, {"later": {"leaf": 1}}], "child": {"leaf": ERROR}}),
    ],
)
def test_a_null_item_of_a_non_null_list_nulls_the_parent_before_its_next_field_while_other_items_still_wait(selection, plan):
    # graphql-core never resolves the parent's next field, so its error is not reported.
    assert_same(SMALL_SCHEMA, "{ root " + selection + " }", plan)


def test_lists_nested_deeper_than_python_compiles_in_one_function_match_the_stock_executor():
    # Python compiles at most 20 nested blocks, and each inlined list is a loop: the filler inlines a few levels only.
    depth = 25
    plan: dict[str, Any] = {"leaf": 0}
    for level in range(1, depth):
        plan = {"leaf": level, "children_required": [plan]}
    selection = "{ leaf }"
    for _ in range(1, depth):
        selection = "{ leaf childrenRequired " + selection + " }"

    assert_same(SMALL_SCHEMA, "{ root " + selection + " }", plan)


@strawberry.type
class Measured:
    size: float | None = None
    count: int | None = None


@strawberry.type
class MeasuredQuery:
    @strawberry.field
    def items(self) -> list[Measured]:
        return self.items_  # type: ignore[attr-defined]  # set by the test: objects the resolver hands over as they are


MEASURED_SCHEMA = strawberry.Schema(query=MeasuredQuery)._schema


@pytest.mark.parametrize(
    "items",
    [
        [SimpleNamespace(size=1.5, count=1), SimpleNamespace(size=float("nan"), count=2), SimpleNamespace(size=float("inf"), count=3)],
        [SimpleNamespace(size=1.5, count=1), SimpleNamespace(count=2)],  # no `size` at all: an error, not a silent null
    ],
    ids=["non-finite floats", "a missing attribute"],
)
def test_values_graphql_core_refuses_are_refused_with_its_errors(items):
    assert_same(MEASURED_SCHEMA, "{ items { size count } }", SimpleNamespace(items_=items))


# 2. graphql-core's own cases: null propagation through non-null chains, and lists of objects


def _core_schema() -> GraphQLSchema:
    data_type: GraphQLObjectType

    def resolver(behaviour: str):
        def resolve(source: dict[str, Any], _info: Any) -> Any:
            value = source.get(behaviour)
            if isinstance(value, Exception):
                raise value
            return value

        return resolve

    def lists_of(item: Any) -> dict[str, GraphQLField]:
        shapes = {
            "list": GraphQLList(item),
            "listNonNull": GraphQLNonNull(GraphQLList(item)),
            "itemsNonNull": GraphQLList(GraphQLNonNull(item)),
            "bothNonNull": GraphQLNonNull(GraphQLList(GraphQLNonNull(item))),
        }
        return {name: GraphQLField(type_, resolve=resolver(name)) for name, type_ in shapes.items()}

    data_type = GraphQLObjectType(
        "DataType",
        lambda: {
            "sync": GraphQLField(GraphQLString, resolve=resolver("sync")),
            "syncNonNull": GraphQLField(GraphQLNonNull(GraphQLString), resolve=resolver("syncNonNull")),
            "syncNest": GraphQLField(data_type, resolve=resolver("syncNest")),
            "syncNonNullNest": GraphQLField(GraphQLNonNull(data_type), resolve=resolver("syncNonNullNest")),
            **lists_of(data_type),
        },
    )
    return GraphQLSchema(GraphQLObjectType("Query", {"nest": GraphQLField(data_type, resolve=lambda root, _info: root)}))


CORE_SCHEMA = _core_schema()
_THROWS = ValueError("thrown")


def _nest(leaf: Any, depth: int) -> dict[str, Any]:
    """graphql-core's nested data: every level nests the next, the innermost holds `leaf` in every leaf field."""
    level: dict[str, Any] = {"sync": leaf, "syncNonNull": leaf}
    for _ in range(depth):
        level = {"sync": "s", "syncNonNull": "s", "syncNest": level, "syncNonNullNest": level}
    return level


NON_NULL_QUERIES = [
    "{ nest { sync syncNest { sync syncNest { sync } } } }",
    "{ nest { syncNonNull } }",
    "{ nest { syncNest { syncNonNull } } }",
    "{ nest { syncNonNullNest { syncNonNullNest { syncNonNull } } } }",
    "{ nest { syncNest { syncNonNullNest { syncNonNullNest { syncNonNull } } } } }",
    "{ nest { a: syncNest { syncNonNull } b: syncNonNullNest { sync } c: syncNest { syncNest { syncNonNull } } } }",
]


@pytest.mark.parametrize("leaf", [None, _THROWS, "value"], ids=["null", "throws", "value"])
@pytest.mark.parametrize("query", NON_NULL_QUERIES)
def test_graphql_cores_non_null_cases_match_the_stock_executor(query, leaf):
    assert_same(CORE_SCHEMA, query, _nest(leaf, 3))


LIST_VALUES = {
    "two objects": [{"sync": "a"}, {"sync": "b"}],
    "an object and a null": [{"sync": "a"}, None],
    "an object whose non-null field fails": [{"sync": "a"}, {"syncNonNull": _THROWS}],
    "empty": [],
    "null": None,
    "throws": _THROWS,
}


@pytest.mark.parametrize("field", ["list", "listNonNull", "itemsNonNull", "bothNonNull"])
@pytest.mark.parametrize("value", LIST_VALUES.values(), ids=LIST_VALUES.keys())
def test_graphql_cores_list_cases_over_objects_match_the_stock_executor(field, value):
    assert_same(CORE_SCHEMA, "{ nest { " + field + " { sync syncNonNull } } }", {field: value})
