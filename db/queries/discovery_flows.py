"""Discovery flows, reached only through their master flow's `flow_id`."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncConnection

from db.tables import discovery_flows as t
from db.tenancy import Tenant, belongs_to

__all__ = ["PHASE_COLUMNS", "discovery_flows_by_master_flow_ids"]

PHASE_COLUMNS = (
    "data_import_completed",
    "data_validation_completed",
    "field_mapping_completed",
    "data_cleansing_completed",
    "asset_inventory_completed",
)
"""The discovery phases' completion flags, in the order the phases run."""

COLUMNS = (
    t.c.master_flow_id,
    t.c.data_import_id,
    t.c.flow_name,
    t.c.status,
    t.c.current_phase,
    t.c.progress_percentage,
    *(t.c[name] for name in PHASE_COLUMNS),
    t.c.assessment_ready,
    t.c.error_message,
    t.c.error_phase,
    t.c.created_at,
    t.c.updated_at,
    t.c.completed_at,
)


async def discovery_flows_by_master_flow_ids(
    connection: AsyncConnection, *, tenant: Tenant, master_flow_ids: Sequence[UUID]
) -> Sequence[Row]:
    """The tenant's discovery flow of each master flow, at most one per master flow.

    Rows of another tenant that point at these master flows are never
    returned.  Should a master flow have several discovery rows, the most
    recently created one wins.
    """
    statement = (
        select(*COLUMNS)
        .ext(distinct_on(t.c.master_flow_id))
        .where(belongs_to(t, tenant), t.c.master_flow_id.in_(master_flow_ids))
        .order_by(t.c.master_flow_id, t.c.created_at.desc(), t.c.id)
    )
    return (await connection.execute(statement)).all()
