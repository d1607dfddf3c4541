"""Data imports, reached only through a discovery flow's `data_import_id`.

The denormalised `data_imports.master_flow_id` is never read: the discovery
flow's link is the only path from a master flow to its import (design §1,
traps 1 and 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from uuid import UUID

from asyncpg import Record
from sqlalchemy import any_, bindparam, select

from db.queries import UUIDS
from db.reader import CompiledQuery, Reader
from db.tables import data_imports as t
from db.tenancy import Tenant, belongs_to

__all__ = ["COLUMNS", "data_imports_by_ids"]

COLUMNS = {
    column.name: column
    for column in (
        t.c.id,
        t.c.import_name,
        t.c.import_type,
        t.c.import_category,
        t.c.filename,
        t.c.file_size,
        t.c.mime_type,
        t.c.source_system,
        t.c.status,
        t.c.progress_percentage,
        t.c.total_records,
        t.c.processed_records,
        t.c.failed_records,
        t.c.error_message,
        t.c.started_at,
        t.c.created_at,
        t.c.completed_at,
        t.c.updated_at,
    )
}
"""What a query may read of a data import, by name."""


@lru_cache(maxsize=64)
def _by_ids(columns: frozenset[str]) -> CompiledQuery:
    return CompiledQuery(
        select(*(COLUMNS[name] for name in sorted(columns | {"id"}))).where(belongs_to(t), t.c.id == any_(bindparam("import_ids", type_=UUIDS)))
    )


async def data_imports_by_ids(reader: Reader, *, tenant: Tenant, import_ids: Sequence[UUID], columns: frozenset[str]) -> Sequence[Record]:
    """The tenant's imports whose `id` is in `import_ids`, in no particular order: their `id` and `columns` (of `COLUMNS`)."""
    return await reader.fetch(_by_ids(columns), **tenant.columns(), import_ids=list(import_ids))
