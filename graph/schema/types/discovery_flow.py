"""Discovery flows: reached only as `MasterFlow.discovery`, never by ID."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import strawberry
from asyncpg import Record

from db.queries.discovery_flows import PHASE_COLUMNS
from graph.execution.selection import Selection
from graph.schema.batching import batched
from graph.schema.rows import Enumerated, RowMapping
from graph.schema.types.data_import import DataImport
from graph.schema.types.enums import DiscoveryFlowStatus, DiscoveryPhase

if TYPE_CHECKING:
    from graph.context import Context

__all__ = ["DiscoveryFlow", "PhaseProgress"]

_PHASES = [(DiscoveryPhase(column.removesuffix("_completed")), column) for column in PHASE_COLUMNS]


async def _imports(flows: Sequence[DiscoveryFlow], context: Context, arguments: dict[str, Any], selection: Selection) -> list[DataImport | None]:
    """`DiscoveryFlow.dataImport` for many discovery flows at once (see graph.schema.batching)."""
    import_ids = [flow._data_import_id for flow in flows]
    rows = await context.loaders.data_import_by_id.load_many([i for i in import_ids if i is not None])
    by_id = {row["id"]: row for row in rows if row}
    return [DataImport.from_row(by_id[i]) if i in by_id else None for i in import_ids]


@strawberry.type(description="Whether one phase of a discovery flow has completed.")
class PhaseProgress:
    phase: DiscoveryPhase = strawberry.field(description="The phase.")
    completed: bool = strawberry.field(description="Whether the phase has completed.")


def _phases(root: DiscoveryFlow) -> list[PhaseProgress]:
    """`DiscoveryFlow.phases`, built only when selected."""
    return [PhaseProgress(phase=phase, completed=done) for (phase, _), done in zip(_PHASES, root._phases_completed, strict=True)]


_DISCOVERY_FLOW_ROW = RowMapping(
    _data_import_id="data_import_id",
    name="flow_name",
    status=Enumerated(DiscoveryFlowStatus, "status"),
    current_phase="current_phase",
    progress_percentage="progress_percentage",
    _phases_completed=lambda row: tuple(row[column] for _, column in _PHASES),
    assessment_ready="assessment_ready",
    error_message="error_message",
    error_phase="error_phase",
    created_at="created_at",
    updated_at="updated_at",
    completed_at="completed_at",
)


@strawberry.type(description="The discovery work behind a master flow: its phases and the data it imported.")
class DiscoveryFlow:
    _data_import_id: strawberry.Private[UUID | None]
    _phases_completed: strawberry.Private[tuple[bool, ...]]  # in the order of _PHASES
    name: str | None = strawberry.field(description="The discovery flow's name.")
    status: DiscoveryFlowStatus = strawberry.field(description="Where the flow is; UNKNOWN for values outside the list.")
    status_raw: str = strawberry.field(description="The status exactly as stored.")
    current_phase: str | None = strawberry.field(description="The phase the flow is in, as stored.")
    progress_percentage: float | None = strawberry.field(description="Progress of the flow, 0 to 100.")
    phases: list[PhaseProgress] = strawberry.field(resolver=_phases, description="Every phase, in the order they run, with its completion.")
    assessment_ready: bool = strawberry.field(description="Whether the discovered inventory is ready for assessment.")
    error_message: str | None = strawberry.field(description="Why the flow failed, if it did.")
    error_phase: str | None = strawberry.field(description="The phase the flow failed in, if it did.")
    created_at: datetime = strawberry.field(description="When the flow was created.")
    updated_at: datetime = strawberry.field(description="When the flow last changed.")
    completed_at: datetime | None = strawberry.field(description="When the flow completed, if it has.")

    @classmethod
    def from_row(cls, row: Record) -> DiscoveryFlow:
        return cls(**_DISCOVERY_FLOW_ROW(row))

    @batched(_imports, description="The import this discovery flow links to; null when it links none.")
    async def data_import(self, info: strawberry.Info) -> DataImport | None: ...
