"""Discovery flows, reached only through their master flow's `flow_id`."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from asyncpg import Record
from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import distinct_on

from db.queries import UUIDS
from db.reader import CompiledQuery, Reader
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

_BY_MASTER_FLOW_IDS = CompiledQuery(
    select(
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
    .ext(distinct_on(t.c.master_flow_id))
    .where(belongs_to(t), t.c.master_flow_id == any_(bindparam("master_flow_ids", type_=UUIDS)))
    .order_by(t.c.master_flow_id, t.c.created_at.desc(), t.c.id)
)


async def discovery_flows_by_master_flow_ids(
    reader: Reader, *, tenant: Tenant, master_flow_ids: Sequence[UUID]
) -> Sequence[Record]:
    """The tenant's discovery flow of each master flow, at most one per master flow.

    Rows of another tenant that point at these master flows are never
    returned.  Should a master flow have several discovery rows, the most
    recently created one wins.
    """
    return await reader.fetch(_BY_MASTER_FLOW_IDS, **tenant.columns(), master_flow_ids=list(master_flow_ids))
