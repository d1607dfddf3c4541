"""Discovery flows, reached only through their master flow's `flow_id`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
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

__all__ = ["COLUMNS", "PHASE_COLUMNS", "discovery_flows_by_master_flow_ids"]

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
    t.c.phase_state,
    t.c.crewai_state_data.op("->")(literal_column("'agent_insights'")).label("agent_insights"),
    t.c.error_details,
)
COLUMNS: dict[str, ColumnElement[Any]] = {column.name: column for column in _COLUMNS}
"""What a query may read of a discovery flow, by name (`agent_insights` from `crewai_state_data`; JSON as text).

Each query reads only the columns its fields need: the JSON state can be large.
"""

_ORDERING = ("id", "created_at")


def _candidates(link: str, preferred: bool, columns: Sequence[str]) -> Select:
    """The tenant's discovery rows whose `link` column names one of the master flows, as `master_flow_id`."""
    return select(
        t.c[link].label("master_flow_id"),
        literal_column("true" if preferred else "false", Boolean).label("preferred"),
        *(COLUMNS[c] for c in columns),
    ).where(belongs_to(t), t.c[link] == any_(bindparam("master_flow_ids", type_=UUIDS)))


@lru_cache(maxsize=64)
def _by_master_flow_ids(columns: frozenset[str]) -> CompiledQuery:
    read = sorted(columns | set(_ORDERING))
    candidate = union_all(_candidates("flow_id", True, read), _candidates("master_flow_id", False, read)).subquery("candidate")
    return CompiledQuery(
        select(candidate.c.master_flow_id, *(candidate.c[name] for name in sorted(columns)))
        .ext(distinct_on(candidate.c.master_flow_id))
        .order_by(candidate.c.master_flow_id, candidate.c.preferred.desc(), candidate.c.created_at.desc(), candidate.c.id)
    )


async def discovery_flows_by_master_flow_ids(
    reader: Reader, *, tenant: Tenant, master_flow_ids: Sequence[UUID], columns: frozenset[str]
) -> Sequence[Record]:
    """The tenant's discovery flow of each master flow, at most one per master flow: its `master_flow_id` and `columns` (of `COLUMNS`).

    Rows of another tenant that point at these master flows are never
    returned.  The platform's own rule picks the row: the one whose
    `discovery_flows.flow_id` is the master flow ID; failing that, of the
    rows whose `master_flow_id` names it (legacy rows), the newest.
    """
    return await reader.fetch(_by_master_flow_ids(columns), **tenant.columns(), master_flow_ids=list(master_flow_ids))
