"""Row builders for seeding and tests: complete rows with plain defaults.

Each builder returns a dict for one table; keyword arguments override any
column.  IDs are random unless given, so a caller that needs a trap (two IDs
that are equal, say) states it explicitly.  Alongside: the progress columns of
a discovery row, and inserting and deleting tenants' rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Table, delete, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from db.tables import (
    asset_conflict_resolutions,
    assets,
    data_cleansing_recommendations,
    data_imports,
    discovery_flows,
    import_field_mappings,
    master_flows,
    raw_import_records,
)
from db.tenancy import Tenant

__all__ = [
    "DISCOVERY_PHASES",
    "TABLES_IN_INSERT_ORDER",
    "Row",
    "Tenant",
    "asset_conflict_row",
    "asset_row",
    "cleansing_recommendation_row",
    "data_import_row",
    "delete_tenants",
    "discovery_flow_row",
    "discovery_progress",
    "field_mapping_row",
    "insert_rows",
    "master_flow_row",
    "raw_record_row",
]

Row = dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC)


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
        "phase_state": {},
        "crewai_state_data": {},
        "error_details": None,
        "created_at": _now(),
        "updated_at": _now(),
        **columns,
    }


DISCOVERY_PHASES = ("data_import", "data_validation", "field_mapping", "data_cleansing", "asset_inventory")


def discovery_progress(progress: float) -> Row:
    """A discovery row's progress columns: phases complete in order, one per 20 points.

    >>> discovery_progress(40.0)["current_phase"], discovery_progress(40.0)["field_mapping_completed"]
    ('field_mapping', False)
    """
    done = min(int(progress // (100 / len(DISCOVERY_PHASES))), len(DISCOVERY_PHASES))
    return {
        "progress_percentage": progress,
        "current_phase": DISCOVERY_PHASES[done] if done < len(DISCOVERY_PHASES) else "completed",
        **{f"{phase}_completed": index < done for index, phase in enumerate(DISCOVERY_PHASES)},
    }


def data_import_row(tenant: Tenant, **columns: Any) -> Row:
    return {
        "id": uuid.uuid4(),
        **tenant.columns(),
        "master_flow_id": None,
        "import_name": "CMDB export",
        "import_type": "cmdb",
        "import_category": "cmdb_export",
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
        "asset_id": None,
        **columns,
    }


def field_mapping_row(tenant: Tenant, *, data_import_id: UUID, source_field: str, **columns: Any) -> Row:
    return {
        "id": uuid.uuid4(),
        "data_import_id": data_import_id,
        **tenant.columns(),
        "master_flow_id": None,
        "source_field": source_field,
        "target_field": source_field.lower(),
        "match_type": "direct",
        "confidence_score": 0.9,
        "status": "suggested",
        "suggested_by": "ai_mapper",
        "approved_by": None,
        "approved_at": None,
        "transformation_rules": None,
        "field_type": "string",
        "agent_reasoning": None,
        "created_at": _now(),
        "updated_at": _now(),
        **columns,
    }


def asset_row(tenant: Tenant, *, name: str, **columns: Any) -> Row:
    return {
        "id": uuid.uuid4(),
        **tenant.columns(),
        "name": name,
        "asset_name": None,
        "hostname": name.lower(),
        "asset_type": "server",
        "description": None,
        "ip_address": None,
        "environment": None,
        "location": None,
        "operating_system": None,
        "os_version": None,
        "cpu_cores": None,
        "memory_gb": None,
        "storage_gb": None,
        "business_owner": None,
        "application_name": None,
        "criticality": None,
        "business_criticality": None,
        "status": None,
        "raw_import_records_id": None,
        "created_at": _now(),
        "updated_at": None,
        "deleted_at": None,
        **columns,
    }


def cleansing_recommendation_row(tenant: Tenant, *, flow_id: UUID, title: str, **columns: Any) -> Row:
    """A recommendation of the discovery flow whose `discovery_flows.flow_id` is `flow_id`."""
    return {
        "id": uuid.uuid4(),
        "flow_id": flow_id,
        **tenant.columns(),
        "category": "standardization",
        "title": title,
        "description": f"{title}.",
        "priority": "medium",
        "impact": None,
        "effort_estimate": None,
        "fields_affected": [],
        "status": "pending",
        "action_notes": None,
        "applied_by_user_id": None,
        "applied_at": None,
        "created_at": _now(),
        "updated_at": _now(),
        **columns,
    }


def asset_conflict_row(tenant: Tenant, *, discovery_flow_id: UUID, existing_asset_id: UUID, conflict_key: str, **columns: Any) -> Row:
    """A conflict of the discovery flow whose row `id` is `discovery_flow_id`."""
    return {
        "id": uuid.uuid4(),
        **tenant.columns(),
        "discovery_flow_id": discovery_flow_id,
        "master_flow_id": None,
        "data_import_id": None,
        "conflict_type": "hostname",
        "conflict_key": conflict_key,
        "existing_asset_id": existing_asset_id,
        "existing_asset_snapshot": {"id": str(existing_asset_id), "hostname": conflict_key},
        "new_asset_data": {"hostname": conflict_key},
        "resolution_status": "pending",
        "resolution_action": None,
        "merge_field_selections": None,
        "resolved_by": None,
        "resolved_at": None,
        "resolution_notes": None,
        "created_at": _now(),
        "updated_at": _now(),
        **columns,
    }


async def analyze(connection: AsyncConnection, schema: str, tables: Iterable[Table]) -> None:
    """ANALYZE `tables` in `schema`: right after a bulk load the planner has no statistics, and picks bad plans."""
    for table in tables:
        await connection.execute(text(f"ANALYZE {schema}.{table.name}"))


async def insert_rows(connection: AsyncConnection, table: Table, rows: Iterable[Row]) -> None:
    """Insert `rows` into `table` in one multi-row statement (no-op when empty)."""
    rows = list(rows)
    if rows:
        await connection.execute(insert(table), rows)


async def delete_tenants(connection: AsyncConnection, tenants: Iterable[Tenant]) -> None:
    """Delete every row of `tenants` from every table, children first.

    Raw records and field mappings go by their import (their own tenant columns are nullable).
    Other tenants' rows that reference deleted rows follow their foreign keys.
    """
    keys = [(tenant.client_account_id, tenant.engagement_id) for tenant in tenants]

    def owned(table: Table) -> ColumnElement[bool]:
        return tuple_(table.c.client_account_id, table.c.engagement_id).in_(keys)

    imports = select(data_imports.c.id).where(owned(data_imports))
    for table in (asset_conflict_resolutions, data_cleansing_recommendations, assets):
        await connection.execute(delete(table).where(owned(table)))
    for table in (import_field_mappings, raw_import_records):
        await connection.execute(delete(table).where(table.c.data_import_id.in_(imports)))
    for table in (discovery_flows, data_imports, master_flows):
        await connection.execute(delete(table).where(owned(table)))


TABLES_IN_INSERT_ORDER = (
    master_flows,
    data_imports,
    discovery_flows,
    raw_import_records,
    import_field_mappings,
    assets,
    data_cleansing_recommendations,
    asset_conflict_resolutions,
)
