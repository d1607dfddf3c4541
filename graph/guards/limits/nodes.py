"""The GitHub-style node limit: the nodes a query may return, from its page arguments."""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_composite_type,
    is_list_type,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_variable_values,
)

from graph.errors import validation_error
from graph.guards.limits.walk import MeasureSelections, fold_operation, fragments_of

__all__ = ["UNPAGED_LIST_SIZE", "NodeCount", "NodeLimit", "count_nodes"]

_PAGE_ARGUMENTS = ("first", "last")

UNPAGED_LIST_SIZE = 10
"""The items an unpaged list of objects (`childFlows`, `phases`) is counted as holding, per parent.

An estimate, not a bound: these lists hold a handful of items in practice
(`phases` exactly five, `childFlows` the few flows one flow starts).
"""


def _page_size(arguments: Mapping[str, Any], default_page: int) -> int:
    """The larger of `first` and `last` (negative counts as 0), or `default_page` when both are null."""
    sizes = [value for name in _PAGE_ARGUMENTS if isinstance(value := arguments.get(name), int)]
    return max(0, *sizes) if sizes else default_page


@dataclass(frozen=True, eq=False)
class _PageArguments:
    """A connection field's page arguments, read from its literals, `variables` and schema defaults."""

    definition: GraphQLField
    node: FieldNode
    variables: frozenset[str]
    default_page: int

    def size(self, variables: VariableValues | None) -> int:
        """The page size with the request's (coerced) variables."""
        try:
            return _page_size(get_argument_values(self.definition, self.node, variables), self.default_page)
        except GraphQLError:  # execution reports the argument; its field returns no nodes
            return 0


@dataclass(frozen=True, eq=False)
class _Page:
    """`size` items, each a node, each with the nodes of `inner`."""

    size: int | _PageArguments
    inner: NodeCount

    def items(self, variables: VariableValues | None) -> int:
        return self.size if isinstance(self.size, int) else self.size.size(variables)


@dataclass(frozen=True, eq=False)
class NodeCount:
    """The possible nodes of a selection: `known` plus the `pages` whose size depends on `variables`."""

    known: int = 0
    pages: tuple[_Page, ...] = ()
    variables: frozenset[str] = frozenset()

    def total(self, variables: VariableValues | None = None) -> int:
        """The possible nodes with the request's (coerced) variables."""
        if not self.pages:
            return self.known
        totals: dict[int, int] = {}  # by id: counts of fragments are shared, so this is a DAG

        def evaluate(count: NodeCount) -> int:
            if id(count) not in totals:
                totals[id(count)] = count.known + sum(page.items(variables) * (1 + evaluate(page.inner)) for page in count.pages)
            return totals[id(count)]

        return evaluate(self)


_NO_NODES = NodeCount()


def _paged(size: int | _PageArguments, inner: NodeCount) -> NodeCount:
    if isinstance(size, int):
        if not inner.pages:
            return NodeCount(size * (1 + inner.known))
        variables = inner.variables
    else:
        variables = inner.variables | size.variables
    return NodeCount(pages=(_Page(size, inner),), variables=variables)


def _joined(parts: Sequence[NodeCount]) -> NodeCount:
    if len(parts) == 1:
        return parts[0]
    return NodeCount(
        sum(part.known for part in parts),
        tuple(page for part in parts for page in part.pages),
        frozenset().union(*(part.variables for part in parts)),
    )


def _connection_page(definition: GraphQLField, node: FieldNode, default_page: int) -> int | _PageArguments:
    """The page size of a connection field, or its arguments when the size depends on variables."""
    # Only the page arguments: coercing the others (filters, cursors) would be wasted per request.
    paging = {name: argument for name, argument in definition.args.items() if name in _PAGE_ARGUMENTS}
    variables = frozenset(
        argument.value.name.value
        for argument in node.arguments or ()
        if argument.name.value in _PAGE_ARGUMENTS and isinstance(argument.value, VariableNode)
    )
    arguments = _PageArguments(GraphQLField(definition.type, paging), node, variables, default_page)
    return arguments if variables else arguments.size(None)


def _is_connection(type_: GraphQLNamedType | None) -> bool:
    return isinstance(type_, GraphQLObjectType) and "pageInfo" in type_.fields and "edges" in type_.fields


def count_nodes(
    schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode], *, default_page: int
) -> NodeCount:
    """The operation's possible nodes, GitHub-style: per connection, its page size × the enclosing page sizes.

    A connection is an object type with `edges` and `pageInfo`; its page size
    is the larger of its `first` and `last` arguments (their schema defaults
    when not passed, `default_page` when both are null; negative counts
    as 0), from the document or the variables.  Its own `edges` and `nodes`
    are the page already counted.  Any other list of objects is counted as a
    page of `UNPAGED_LIST_SIZE` items.  Fields count where they are written:
    an aliased field counts again, and so does a field (or fragment) selected
    twice under one response key, which runs once (an overestimate).

        masterFlows(first: 100) { nodes { discovery { dataImport { rawRecords(first: 500) { … } } } } }
        → 100 + 100 × 500 = 50,100
    """

    def field(node: FieldNode, parent_name: str | None, measure: MeasureSelections[NodeCount]) -> NodeCount:
        parent = schema.get_type(parent_name) if node.selection_set and parent_name else None
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:  # a leaf, `__typename`, or a field validation reports
            return _NO_NODES
        item_type = get_named_type(definition.type)
        inner = measure(node.selection_set, item_type.name)
        if _is_connection(item_type):
            return _paged(_connection_page(definition, node, default_page), inner)
        is_list = is_list_type(get_nullable_type(definition.type))
        if is_list and is_composite_type(item_type) and not _is_connection(parent):
            return _paged(UNPAGED_LIST_SIZE, inner)
        return inner

    root = schema.get_root_type(operation.operation)
    return fold_operation(operation, fragments, field=field, join=_joined, root=root.name if root else None)


@dataclass(frozen=True)
class _Counted:
    """An operation's count, and the definitions of the variables it depends on."""

    operation: OperationDefinitionNode
    count: NodeCount
    variables: tuple[VariableDefinitionNode, ...]


class NodeLimit:
    """Refuses operations that may return more than `max_nodes` nodes, before they run.

    Each document's counts are built once per operation name and kept while
    the document lives; per request, only the variables that size pages are
    coerced and only the pages they size are evaluated.  Documents must have
    passed validation.
    """

    def __init__(self, schema: GraphQLSchema, max_nodes: int, *, default_page: int) -> None:
        self.schema = schema
        self.max_nodes = max_nodes
        self.default_page = default_page  # what a connection with neither `first` nor `last` is counted as
        self._counts: dict[int, dict[str | None, _Counted | None]] = {}

    def check(self, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None) -> GraphQLError | None:
        """A QUERY_TOO_COMPLEX error when the selected operation is over the limit, else None (see `measure`)."""
        return self.measure(document, operation_name, variables)[1]

    def measure(self, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None) -> tuple[int, GraphQLError | None]:
        """The nodes the selected operation may return, and a QUERY_TOO_COMPLEX error when that is over the limit.

        (0, None) when the operation cannot be selected or a page size
        variable cannot be coerced: execution reports those.
        """
        counted = self._counted(document, operation_name)
        if counted is None:
            return 0, None
        coerced: VariableValues | None = None
        if counted.variables:
            values = get_variable_values(self.schema, counted.variables, dict(variables or {}))
            if not isinstance(values, VariableValues):
                return 0, None
            coerced = values
        nodes = counted.count.total(coerced)
        if nodes <= self.max_nodes:
            return nodes, None
        return nodes, validation_error(
            f"The query may return up to {nodes:,} nodes; the limit is {self.max_nodes:,}.",
            "QUERY_TOO_COMPLEX",
            counted.operation,
        )

    def _counted(self, document: DocumentNode, operation_name: str | None) -> _Counted | None:
        key = id(document)
        counts = self._counts.get(key)
        if counts is None:
            counts = self._counts[key] = {}
            # The entry goes with the document, so its id is never reused while it is here.
            weakref.finalize(document, self._counts.pop, key, None)
        if operation_name not in counts:
            counts[operation_name] = self._count(document, get_operation_ast(document, operation_name))
        return counts[operation_name]

    def _count(self, document: DocumentNode, operation: OperationDefinitionNode | None) -> _Counted | None:
        if operation is None:
            return None
        count = count_nodes(self.schema, operation, fragments_of(document), default_page=self.default_page)
        variables = tuple(d for d in operation.variable_definitions or () if d.variable.name.value in count.variables)
        return _Counted(operation, count, variables)
