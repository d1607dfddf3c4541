"""Relay cursor connections: `edges { cursor node }`, `nodes`, `pageInfo`, `totalCount`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from graph.errors import BadUserInput

__all__ = ["Connection", "Edge", "PageInfo", "Window", "check_page_size"]

Node = TypeVar("Node")


def check_page_size(argument: str, value: int | None, cap: int) -> None:
    """Refuse a page size outside 1..cap with a message naming the argument."""
    if value is not None and not 1 <= value <= cap:
        raise BadUserInput(f"`{argument}` must be between 1 and {cap}, got {value}.")


@strawberry.type(description="Where a page sits in its list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page (when paging forward, true whenever `after` was given).")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item, if any.")
    end_cursor: str | None = strawberry.field(description="The cursor of the last item, if any.")


@dataclass
class Window(Generic[Node]):
    """What a fetched page knows beyond its items: whether items lie beyond it, and how to name positions.

    `cursors_of(items)` gives the cursor of each item, in one call for a page.
    """

    has_next_page: bool
    has_previous_page: bool
    cursors_of: Callable[[Sequence[Node]], list[str]]
    count: Callable[[], Awaitable[int]]


@strawberry.type(description="An item of a page, with the cursor that points at it.")
class Edge(Generic[Node]):
    node: Node = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="An opaque cursor pointing at this item, for `after` or `before`.")


def _edge(node: Node, cursor: str) -> Edge[Node]:
    """`Edge(node=node, cursor=cursor)`, without the dataclass `__init__`, which costs as much again (a page makes hundreds)."""
    edge: Edge[Node] = object.__new__(Edge)
    edge.__dict__ = {"node": node, "cursor": cursor}
    return edge


@strawberry.type(description="A page of a list, following the Relay cursor connection spec.")
class Connection(Generic[Node]):
    nodes: list[Node] = strawberry.field(description="The items of this page.")
    _window: strawberry.Private[Window[Node]]

    @strawberry.field(description="The items of this page, each with its cursor.")
    def edges(self) -> list[Edge[Node]]:
        return [_edge(item, cursor) for item, cursor in zip(self.nodes, self._window.cursors_of(self.nodes), strict=True)]

    @strawberry.field(description="Where this page sits in the list.")
    def page_info(self) -> PageInfo:
        window = self._window
        start, end = window.cursors_of([self.nodes[0], self.nodes[-1]]) if self.nodes else (None, None)
        return PageInfo(has_next_page=window.has_next_page, has_previous_page=window.has_previous_page, start_cursor=start, end_cursor=end)

    @strawberry.field(description="How many items the whole list holds, with its filter; counted only when asked for.")
    async def total_count(self) -> int:
        return await self._window.count()
