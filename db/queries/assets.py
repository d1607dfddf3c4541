"""Assets, reached only as the asset a raw record became; an asset's ID is never returned.

A record names its asset in `raw_import_records.asset_id`; older paths left
the link the other way, in `assets.raw_import_records_id`.  The first wins;
of several assets naming the record, the newest.  Soft-deleted assets
(`deleted_at`) are never returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from asyncpg import Record
from sqlalchemy import Boolean, ColumnElement, any_, bindparam, literal_column, select, union_all
from sqlalchemy.dialects.postgresql import distinct_on

from db.queries import UUIDS
from db.reader import CompiledQuery, Reader
from db.tables import assets as t
from db.tables import ordering_key, raw_import_records
from db.tenancy import Tenant, belongs_to

__all__ = ["ASSET_COLUMNS", "assets_by_record_ids"]

ASSET_COLUMNS = (
    "name",
    "asset_name",
    "hostname",
    "asset_type",
    "description",
    "ip_address",
    "environment",
    "location",
    "operating_system",
    "os_version",
    "cpu_cores",
    "memory_gb",
    "storage_gb",
    "business_owner",
    "application_name",
    "criticality",
    "business_criticality",
    "status",
    "created_at",
    "updated_at",
)
"""What the platform's inventory page shows of an asset."""

_RECORD_IDS = bindparam("record_ids", type_=UUIDS)


def _preferred(value: bool) -> ColumnElement[bool]:
    return literal_column("true" if value else "false", Boolean).label("preferred")


def _live_assets_of_tenant() -> ColumnElement[bool]:
    return belongs_to(t) & t.c.deleted_at.is_(None)


_named_by_record = (
    select(raw_import_records.c.id.label("record_id"), _preferred(True), t.c.id, *(t.c[name] for name in ASSET_COLUMNS))
    .select_from(raw_import_records.join(t, t.c.id == raw_import_records.c.asset_id))
    .where(raw_import_records.c.id == any_(_RECORD_IDS), belongs_to(raw_import_records), _live_assets_of_tenant())
)
_naming_record = select(t.c.raw_import_records_id.label("record_id"), _preferred(False), t.c.id, *(t.c[name] for name in ASSET_COLUMNS)).where(
    t.c.raw_import_records_id == any_(_RECORD_IDS), _live_assets_of_tenant()
)
_candidate = union_all(_named_by_record, _naming_record).subquery("candidate")
_BY_RECORD_IDS = CompiledQuery(
    select(_candidate.c.record_id, *(_candidate.c[name] for name in ASSET_COLUMNS))
    .ext(distinct_on(_candidate.c.record_id))
    .order_by(_candidate.c.record_id, _candidate.c.preferred.desc(), ordering_key(_candidate.c.created_at).desc(), _candidate.c.id)
)


async def assets_by_record_ids(reader: Reader, *, tenant: Tenant, record_ids: Sequence[UUID]) -> Sequence[Record]:
    """The tenant's live asset of each record in `record_ids` that has one, as `record_id` and `ASSET_COLUMNS`."""
    return await reader.fetch(_BY_RECORD_IDS, **tenant.columns(), record_ids=list(record_ids))
