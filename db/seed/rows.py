"""Row builders for seeding and tests: complete rows with plain defaults.

Each builder returns a dict for one table; keyword arguments override any
column.  IDs are random unless given, so a caller that needs a trap (two IDs
that are equal, say) states it explicitly.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from db.tenancy import Tenant

__all__ = [
    "Tenant",
    "data_import_row",
    "discovery_flow_row",
    "insert_rows",
    "master_flow_row",
    "raw_record_row",
]

Row = dict[str, Any]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def master_flow_row(tenant: Tenant, **columns: Any) -> Row:
    return {
        "id": uuid.uuid4(),
        "flow_id": uuid.uuid4(),
        **tenant.columns(),
        "user_id": "demo-user",
        "flow_type": "discovery",
        "flow_name": "Discovery",
        "flow_status": "active",
        "parent_flow_id": None,
        "flow_configuration": {},
        "flow_metadata": {},
        "created_at": _now(),
        "updated_at": _now(),
        **columns,
    }


def discovery_flow_row(tenant: Tenant, *, master_flow_id: UUID | None, data_import_id: UUID | None, **columns: Any) -> Row:
    return {
        "id": uuid.uuid4(),
        "flow_id": uuid.uuid4(),
        "master_flow_id": master_flow_id,
        "data_import_id": data_import_id,
        **tenant.columns(),
        "flow_name": "Discovery",
        "status": "running",
        "current_phase": "data_import",
        "progress_percentage": 0.0,
        "created_at": _now(),
        "updated_at": _now(),
        **columns,
    }


def data_import_row(tenant: Tenant, **columns: Any) -> Row:
    return {
        "id": uuid.uuid4(),
        **tenant.columns(),
        "master_flow_id": None,
        "import_name": "CMDB export",
        "import_type": "cmdb",
        "import_category": "cmdb",
        "filename": "cmdb.csv",
        "file_size": 1024,
        "mime_type": "text/csv",
        "source_system": "ServiceNow",
        "status": "completed",
        "progress_percentage": 100.0,
        "total_records": 0,
        "processed_records": 0,
        "failed_records": 0,
        "created_at": _now(),
        "updated_at": _now(),
        **columns,
    }


def raw_record_row(tenant: Tenant | None, *, data_import_id: UUID, row_number: int, raw_data: Mapping[str, Any], **columns: Any) -> Row:
    return {
        "id": uuid.uuid4(),
        "data_import_id": data_import_id,
        "client_account_id": tenant.client_account_id if tenant else None,
        "engagement_id": tenant.engagement_id if tenant else None,
        "row_number": row_number,
        "raw_data": dict(raw_data),
        "cleansed_data": None,
        "validation_errors": None,
        "processing_notes": None,
        "is_processed": False,
        "is_valid": True,
        "created_at": _now(),
        "processed_at": None,
        **columns,
    }


async def insert_rows(connection: AsyncConnection, table: Table, rows: Iterable[Row]) -> None:
    """Insert `rows` into `table` in one multi-row statement (no-op when empty)."""
    rows = list(rows)
    if rows:
        await connection.execute(insert(table), rows)


TABLES_IN_INSERT_ORDER = (master_flows, data_imports, discovery_flows, raw_import_records)
