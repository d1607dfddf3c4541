"""Loaders of the lists that hang off a parent row (`db.queries.child_pages`), one instance per list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from uuid import UUID

from asyncpg import Record

from db.queries.child_pages import ChildList, ChildPageKey, EnumeratedColumn, child_pages, count_by_value, count_children
from db.reader import Reader
from db.tenancy import Tenant
from graph.loaders.base import TenantLoader

__all__ = ["ChildListLoaders", "ValueCountsLoader"]

K = TypeVar("K")
V = TypeVar("V")


class _OfList(TenantLoader[K, V]):
    def __init__(self, reader: Reader, tenant: Tenant, rows: ChildList) -> None:
        super().__init__(reader, tenant)
        self.rows = rows


class _PagesLoader(_OfList[ChildPageKey, list[Record]]):
    """Each page of one list, all pages of a batch in one statement."""

    async def load_batch(self, keys: Sequence[ChildPageKey]) -> list[list[Record]]:
        return await self.run(child_pages, rows=self.rows, keys=keys)


class _CountLoader(_OfList[ChildPageKey, int]):
    """How many rows of one list each key's parent and filters match, in one statement."""

    async def load_batch(self, keys: Sequence[ChildPageKey]) -> list[int]:
        return await self.run(count_children, rows=self.rows, keys=keys)


class ChildListLoaders:
    """The pages of one list and their counts (`totalCount`)."""

    def __init__(self, reader: Reader, tenant: Tenant, rows: ChildList) -> None:
        self.pages = _PagesLoader(reader, tenant, rows)
        self.counts = _CountLoader(reader, tenant, rows)


class ValueCountsLoader(_OfList[UUID, dict[str, int]]):
    """How many rows of one list each parent has per value of one enumerated column, in one grouped statement."""

    def __init__(self, reader: Reader, tenant: Tenant, rows: ChildList, column: EnumeratedColumn) -> None:
        super().__init__(reader, tenant, rows)
        self.column = column

    async def load_batch(self, parent_ids: Sequence[UUID]) -> list[dict[str, int]]:
        counts = await self.run(count_by_value, rows=self.rows, filter=self.column, parent_ids=parent_ids)
        return [counts.get(parent_id, {}) for parent_id in parent_ids]
