"""Discovery flows, reached only through their master flow's `flow_id`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from asyncpg import Record
from sqlalchemy import Boolean, ColumnElement, any_, bindparam, literal_column, select, union_all
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.sql import Select

from db.queries import UUIDS
from db.reader import CompiledQuery, Reader
from db.tables import discovery_flows as t
from db.tenancy import Tenant, belongs_to

__all__ = ["PHASE_COLUMNS", "STATE_COLUMNS", "discovery_flows_by_master_flow_ids"]

PHASE_COLUMNS = (
    "data_import_completed",
    "data_validation_completed",
    "field_mapping_completed",
    "data_cleansing_completed",
    "asset_inventory_completed",
)
"""The discovery phases' completion flags, in the order the phases run."""

_COLUMNS = (
    t.c.id,
    t.c.flow_id,
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

STATE_COLUMNS = ("phase_state", "agent_insights", "error_details")
"""The flow's JSON state, read only when asked for (it can be large): as JSON text, `agent_insights` from `crewai_state_data`."""

_STATE = (
    t.c.phase_state,
    t.c.crewai_state_data.op("->")(literal_column("'agent_insights'")).label("agent_insights"),
    t.c.error_details,
)


def _candidates(link: str, preferred: bool, columns: Sequence[ColumnElement[Any]]) -> Select:
    """The tenant's discovery rows whose `link` column names one of the master flows, as `master_flow_id`."""
    return select(t.c[link].label("master_flow_id"), literal_column("true" if preferred else "false", Boolean).label("preferred"), *columns).where(
        belongs_to(t), t.c[link] == any_(bindparam("master_flow_ids", type_=UUIDS))
    )


def _by_master_flow_ids(with_state: bool) -> CompiledQuery:
    columns = (*_COLUMNS, *_STATE) if with_state else _COLUMNS
    candidate = union_all(_candidates("flow_id", True, columns), _candidates("master_flow_id", False, columns)).subquery("candidate")
    return CompiledQuery(
        select(candidate.c.master_flow_id, *(candidate.c[c.name] for c in columns))
        .ext(distinct_on(candidate.c.master_flow_id))
        .order_by(candidate.c.master_flow_id, candidate.c.preferred.desc(), candidate.c.created_at.desc(), candidate.c.id)
    )


_BY_MASTER_FLOW_IDS = {with_state: _by_master_flow_ids(with_state) for with_state in (False, True)}


async def discovery_flows_by_master_flow_ids(
    reader: Reader, *, tenant: Tenant, master_flow_ids: Sequence[UUID], with_state: bool = False
) -> Sequence[Record]:
    """The tenant's discovery flow of each master flow, at most one per master flow, with `STATE_COLUMNS` if `with_state`.

    Rows of another tenant that point at these master flows are never
    returned.  The platform's own rule picks the row: the one whose
    `discovery_flows.flow_id` is the master flow ID; failing that, of the
    rows whose `master_flow_id` names it (legacy rows), the newest.
    """
    return await reader.fetch(_BY_MASTER_FLOW_IDS[with_state], **tenant.columns(), master_flow_ids=list(master_flow_ids))
