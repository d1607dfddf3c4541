"""Connections over the lists that hang off a parent row (`db.queries.child_pages`), as batched resolvers.

    _MAPPINGS = ChildConnection(FIELD_MAPPINGS, kind="field_mappings", cap=500, ...)

    @batched(_MAPPINGS.resolve, description="...")
    async def field_mappings(self, info, first: int = 100, after: str | None = None, filter: ... = None) -> Connection[FieldMapping]: ...

A page's cursor holds its last row's position, `(timestamp, ID)`, with the ID
sealed (`graph.guards.cursors`): no internal ID leaves the server in the clear.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar
from uuid import UUID

from asyncpg import Record

from db.queries.child_pages import BEFORE_FIRST, ChildList, ChildPageKey, ChildPosition
from graph.errors import BadUserInput
from graph.execution.selection import Selection
from graph.schema.pagination import Connection, Window, check_page_size

if TYPE_CHECKING:
    from graph.context import Context
    from graph.loaders.child_pages import ChildListLoaders

__all__ = ["ChildConnection", "Positioned"]


class Positioned(Protocol):
    """A node that knows its place in its list: the row's `_at` and `_id` (`db.queries.child_pages`)."""

    _at: datetime
    _id: UUID


Node = TypeVar("Node", bound=Positioned)


@dataclass(frozen=True)
class ChildConnection(Generic[Node]):
    """`Connection[Node]` of each parent's rows of `rows`, for a whole level in one statement.

    `filters` names, for each of the list's filters in order, the field of the
    GraphQL filter input that holds the enum values to keep.  `node` builds a
    node from a row, `_at` and `_id` included (its position, for its cursor).
    """

    rows: ChildList
    kind: str
    cap: int
    loaders: Callable[[Context], ChildListLoaders]
    parent_id: Callable[[Any], UUID]
    node: Callable[[Record], Node]
    filters: tuple[str, ...] = ()

    def _after(self, cursor: str | None, context: Context) -> ChildPosition:
        if cursor is None:
            return BEFORE_FIRST
        position = context.cursors.decode(cursor, self.kind, "created_at,id")
        try:
            at, sealed = position
            return ChildPosition(datetime.fromisoformat(at), context.cursors.unseal(sealed))
        except (TypeError, ValueError):
            raise BadUserInput("The cursor is not valid for this list.") from None

    def _kept(self, filter: Mapping[str, Any] | None) -> tuple[frozenset[str] | None, ...]:
        """Per list filter, the stored values the GraphQL filter keeps (its enum members' values), or None for every value."""
        given = filter or {}
        return tuple(
            None if (members := given.get(name)) is None else frozenset(member.value if isinstance(member, Enum) else member for member in members)
            for name in self.filters
        )

    async def resolve(
        self, parents: Sequence[Any], context: Context, arguments: dict[str, Any], selection: Selection
    ) -> list[Connection[Node] | Exception]:
        """The connections of `parents` (see graph.schema.batching); invalid arguments fail every parent's alike."""
        first, after = arguments["first"], arguments.get("after")
        try:
            check_page_size("first", first, self.cap)
            position = self._after(after, context)
        except BadUserInput as error:
            return [error] * len(parents)
        kept = self._kept(arguments.get("filter"))
        loaders, cursors = self.loaders(context), context.cursors
        keys = [ChildPageKey(self.parent_id(parent), position, first + 1, kept) for parent in parents]
        pages = await loaders.pages.load_many(keys)

        def connection(key: ChildPageKey, rows: list[Record]) -> Connection[Node]:
            return Connection(
                nodes=[self.node(row) for row in rows[:first]],
                _window=Window(
                    has_next_page=len(rows) > first,
                    has_previous_page=after is not None,
                    cursors_of=lambda nodes: cursors.encode_sealing(
                        self.kind, "created_at,id", [node._at.isoformat() for node in nodes], [node._id for node in nodes]
                    ),
                    count=lambda: loaders.counts.load(ChildPageKey(key.parent_id, kept=kept)),
                ),
            )

        return [connection(key, rows) for key, rows in zip(keys, pages, strict=True)]
