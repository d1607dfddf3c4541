"""Limits on the size of a query: depth, aliases and possible nodes.

Depth and aliases are checked by a validation rule; the node limit depends
on the request's variables, so it is checked before execution.  All three
measure the operation with fragments expanded where they are spread, so
what hides in fragments counts in full; each fragment is measured once
(linear time even for fragments spread many times) and a fragment cycle is
never followed (the spec's NoFragmentCycles rule reports it).  Introspection
fields are not measured: GraphiQL's own introspection query is deep by
nature, and introspection is switched off as a whole in production.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_composite_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.validation import ValidationRule

from graph.errors import validation_error
from graph.types.query import DEFAULT_FLOW_PAGE

__all__ = [
    "UNPAGED_LIST_SIZE",
    "NodeCount",
    "NodeLimit",
    "count_nodes",
    "fold_operation",
    "measure_operation",
    "query_limit_rule",
]

_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
_PAGE_ARGUMENTS = ("first", "last")

UNPAGED_LIST_SIZE = 10
"""The items an unpaged list of objects (`childFlows`, `phases`) is counted as holding, per parent.

An estimate, not a bound: these lists hold a handful of items in practice
(`phases` exactly five, `childFlows` the few flows one flow starts).
"""

Measure = TypeVar("Measure")
MeasureSelections = Callable[[SelectionSetNode | None, str | None], Measure]


def fold_operation(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    *,
    field: Callable[[FieldNode, str | None, MeasureSelections[Measure]], Measure],
    join: Callable[[Sequence[Measure]], Measure],
    root: str | None = None,
) -> Measure:
    """One measure of the operation, folded from the measures of its fields.

    `field(node, parent, measure)` measures one field of the type named
    `parent` (None when unknown), calling `measure(selection_set, type_name)`
    for its sub-selections; `join(measures)` combines sibling selections (an
    empty list for an empty selection set).  Fragments contribute the measure
    of their selections where they are spread, named ones with their type
    condition as `parent`; `root` is the operation's root type name.
    """
    measured: dict[str, Measure] = {}

    def measure(selection_set: SelectionSetNode | None, parent: str | None, visiting: frozenset[str]) -> Measure:
        parts: list[Measure] = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value not in _INTROSPECTION_ROOTS:
                    parts.append(field(selection, parent, lambda inner, name: measure(inner, name, visiting)))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                parts.append(measure(selection.selection_set, condition.name.value if condition else parent, visiting))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in visiting:
                    continue
                if name not in measured:
                    condition = fragment.type_condition.name.value
                    measured[name] = measure(fragment.selection_set, condition, visiting | {name})
                parts.append(measured[name])
        return join(parts)

    return measure(operation.selection_set, root, frozenset())


def measure_operation(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[int, int]:
    """The operation's field depth and alias count, with fragments expanded."""

    def field(node: FieldNode, _parent: str | None, measure: MeasureSelections[tuple[int, int]]) -> tuple[int, int]:
        depth, aliases = measure(node.selection_set, None)
        return depth + 1, aliases + (node.alias is not None)

    def join(parts: Sequence[tuple[int, int]]) -> tuple[int, int]:
        return max((depth for depth, _ in parts), default=0), sum(aliases for _, aliases in parts)

    return fold_operation(operation, fragments, field=field, join=join)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def query_limit_rule(*, max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing operations deeper than `max_depth` or with more than `max_aliases` aliases."""

    class QueryLimitRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            fragments = _fragments(node)
            for operation in node.definitions:
                if not isinstance(operation, OperationDefinitionNode):
                    continue
                depth, aliases = measure_operation(operation, fragments)
                if depth > max_depth:
                    self.report_error(
                        validation_error(
                            f"The query is {depth} fields deep; the limit is {max_depth}.",
                            "QUERY_TOO_COMPLEX",
                            operation,
                        )
                    )
                if aliases > max_aliases:
                    self.report_error(
                        validation_error(
                            f"The query uses {aliases} aliases; the limit is {max_aliases}.",
                            "QUERY_TOO_COMPLEX",
                            operation,
                        )
                    )
            return self.SKIP

    return QueryLimitRule


# Possible nodes (GitHub's node limit)


def _page_size(arguments: Mapping[str, Any]) -> int:
    """The larger of `first` and `last` (negative counts as 0), or the default page when both are null."""
    sizes = [value for name in _PAGE_ARGUMENTS if isinstance(value := arguments.get(name), int)]
    return max(0, *sizes) if sizes else DEFAULT_FLOW_PAGE


@dataclass(frozen=True, eq=False)
class _PageArguments:
    """A connection field's page arguments, read from its literals, `variables` and schema defaults."""

    definition: GraphQLField
    node: FieldNode
    variables: frozenset[str]

    def size(self, variables: VariableValues | None) -> int:
        """The page size with the request's (coerced) variables."""
        try:
            return _page_size(get_argument_values(self.definition, self.node, variables))
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
                totals[id(count)] = count.known + sum(
                    page.items(variables) * (1 + evaluate(page.inner)) for page in count.pages
                )
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


def _connection_page(definition: GraphQLField, node: FieldNode) -> int | _PageArguments:
    """The page size of a connection field, or its arguments when the size depends on variables."""
    # Only the page arguments: coercing the others (filters, cursors) would be wasted per request.
    paging = {name: argument for name, argument in definition.args.items() if name in _PAGE_ARGUMENTS}
    variables = frozenset(
        argument.value.name.value
        for argument in node.arguments or ()
        if argument.name.value in _PAGE_ARGUMENTS and isinstance(argument.value, VariableNode)
    )
    arguments = _PageArguments(GraphQLField(definition.type, paging), node, variables)
    return arguments if variables else arguments.size(None)


def _is_connection(type_: GraphQLNamedType | None) -> bool:
    return isinstance(type_, GraphQLObjectType) and "pageInfo" in type_.fields and "edges" in type_.fields


def count_nodes(
    schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> NodeCount:
    """The operation's possible nodes, GitHub-style: per connection, its page size × the enclosing page sizes.

    A connection is an object type with `edges` and `pageInfo`; its page size
    is the larger of its `first` and `last` arguments (their schema defaults
    when not passed, `DEFAULT_FLOW_PAGE` when both are null; negative counts
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
            return _paged(_connection_page(definition, node), inner)
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

    def __init__(self, schema: GraphQLSchema, max_nodes: int) -> None:
        self.schema = schema
        self.max_nodes = max_nodes
        self._counts: dict[int, dict[str | None, _Counted | None]] = {}

    def check(
        self, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> GraphQLError | None:
        """A QUERY_TOO_COMPLEX error when the selected operation is over the limit, else None.

        None too when the operation cannot be selected or a page size
        variable cannot be coerced: execution reports those.
        """
        counted = self._counted(document, operation_name)
        if counted is None:
            return None
        coerced: VariableValues | None = None
        if counted.variables:
            values = get_variable_values(self.schema, counted.variables, dict(variables or {}))
            if not isinstance(values, VariableValues):
                return None
            coerced = values
        nodes = counted.count.total(coerced)
        if nodes <= self.max_nodes:
            return None
        return validation_error(
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
        count = count_nodes(self.schema, operation, _fragments(document))
        variables = tuple(d for d in operation.variable_definitions or () if d.variable.name.value in count.variables)
        return _Counted(operation, count, variables)
