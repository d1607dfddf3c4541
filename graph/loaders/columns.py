"""Loaders of one row per ID that read only the columns asked for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple
from uuid import UUID

from asyncpg import Record

from graph.loaders.base import TenantLoader

__all__ = ["ColumnsKey", "RowByIdLoader"]


class ColumnsKey(NamedTuple):
    """An ID, and the columns of its row wanted."""

    id: UUID
    columns: frozenset[str]


class RowByIdLoader(TenantLoader[ColumnsKey, Record | None]):
    """The tenant's row of each key's ID, or None; a batch reads the union of its keys' columns in one statement.

    Subclasses name the column the rows are matched on (`id_column`) and fetch them (`fetch`).
    """

    id_column: str

    async def fetch(self, ids: list[UUID], columns: frozenset[str]) -> Sequence[Record]:
        """The rows of `ids`, with `id_column` and `columns`, in any order."""
        raise NotImplementedError

    async def load_batch(self, keys: Sequence[ColumnsKey]) -> list[Record | None]:
        rows = await self.fetch(list(dict.fromkeys(key.id for key in keys)), frozenset().union(*(key.columns for key in keys)))
        by_id = {row[self.id_column]: row for row in rows}
        return [by_id.get(key.id) for key in keys]
