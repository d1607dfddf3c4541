"""Relay cursor connections: `edges { cursor node }`, `nodes`, `pageInfo`, `totalCount`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
    """What a fetched page knows beyond its items: whether items lie beyond it, and how to name positions."""

    has_next_page: bool
    has_previous_page: bool
    cursor_of: Callable[[Node], str]
    count: Callable[[], Awaitable[int]]


@strawberry.type(description="An item of a page, with the cursor that points at it.")
class Edge(Generic[Node]):
    node: Node = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="An opaque cursor pointing at this item, for `after` or `before`.")


@strawberry.type(description="A page of a list, following the Relay cursor connection spec.")
class Connection(Generic[Node]):
    nodes: list[Node] = strawberry.field(description="The items of this page.")
    _window: strawberry.Private[Window[Node]]

    @strawberry.field(description="The items of this page, each with its cursor.")
    def edges(self) -> list[Edge[Node]]:
        cursor_of = self._window.cursor_of
        return [Edge(node=item, cursor=cursor_of(item)) for item in self.nodes]

    @strawberry.field(description="Where this page sits in the list.")
    def page_info(self) -> PageInfo:
        window = self._window
        items = self.nodes
        return PageInfo(
            has_next_page=window.has_next_page,
            has_previous_page=window.has_previous_page,
            start_cursor=window.cursor_of(items[0]) if items else None,
            end_cursor=window.cursor_of(items[-1]) if items else None,
        )

    @strawberry.field(description="How many items the whole list holds, with its filter; counted only when asked for.")
    async def total_count(self) -> int:
        return await self._window.count()
