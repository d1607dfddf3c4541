"""Discovery flows: reached only as `MasterFlow.discovery`, never by ID."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from asyncpg import Record
from strawberry.scalars import JSON

from db.queries.discovery_findings import ASSET_CONFLICTS, CLEANSING_RECOMMENDATIONS
from db.queries.discovery_flows import PHASE_COLUMNS
from graph.execution.selection import Selection
from graph.loaders.columns import ColumnsKey
from graph.schema.batching import batched
from graph.schema.child_connections import ChildConnection
from graph.schema.json_redaction import without_ids
from graph.schema.pagination import Connection
from graph.schema.rows import Derived, Enumerated, RowMapping
from graph.schema.types.data_import import DataImport
from graph.schema.types.enums import DiscoveryFlowStatus, DiscoveryPhase
from graph.schema.types.findings import AssetConflict, AssetConflictFilter, CleansingRecommendation, CleansingRecommendationFilter

if TYPE_CHECKING:
    from graph.context import Context

__all__ = ["FINDINGS_PAGE_CAP", "DiscoveryFlow", "PhaseProgress"]

FINDINGS_PAGE_CAP = 100
_REDACTED = "without the internal IDs it can hold (keys naming an ID, and UUID values, are removed at any depth)."

_PHASES = [(DiscoveryPhase(column.removesuffix("_completed")), column) for column in PHASE_COLUMNS]


async def _imports(flows: Sequence[DiscoveryFlow], context: Context, arguments: dict[str, Any], selection: Selection) -> list[DataImport | None]:
    """`DiscoveryFlow.dataImport` for many discovery flows at once (see graph.schema.batching), reading only the columns selected."""
    columns = DataImport.columns_for(selection.names())
    import_ids = [flow._data_import_id for flow in flows]
    rows = await context.loaders.data_import_by_id.load_many([ColumnsKey(i, columns) for i in import_ids if i is not None])
    by_id = {row["id"]: row for row in rows if row}
    build = DataImport.builder(columns)
    return [build(by_id[i]) if i in by_id else None for i in import_ids]


@strawberry.type(description="Whether one phase of a discovery flow has completed.")
class PhaseProgress:
    phase: DiscoveryPhase = strawberry.field(description="The phase.")
    completed: bool = strawberry.field(description="Whether the phase has completed.")


def _phases(root: DiscoveryFlow) -> list[PhaseProgress]:
    """`DiscoveryFlow.phases`, built only when selected."""
    return [PhaseProgress(phase=phase, completed=done) for (phase, _), done in zip(_PHASES, root._phases_completed, strict=True)]


def _next_phase(root: DiscoveryFlow) -> DiscoveryPhase | None:
    """`DiscoveryFlow.nextPhase`: the first phase, in running order, not completed."""
    return next((phase for (phase, _), done in zip(_PHASES, root._phases_completed, strict=True) if not done), None)


def _state(column: str) -> Derived:
    """A JSON state column of the row without its IDs (graph.schema.json_redaction)."""
    return Derived(lambda row: without_ids(row[column]), (column,))


_CLEANSING = ChildConnection(
    CLEANSING_RECOMMENDATIONS,
    kind="cleansing_recommendations",
    cap=FINDINGS_PAGE_CAP,
    loaders=lambda context: context.loaders.cleansing_recommendations,
    parent_id=lambda flow: flow._flow_id,
    node=CleansingRecommendation.from_row,
    filters=("statuses", "priorities"),
)
_CONFLICTS = ChildConnection(
    ASSET_CONFLICTS,
    kind="asset_conflicts",
    cap=FINDINGS_PAGE_CAP,
    loaders=lambda context: context.loaders.asset_conflicts,
    parent_id=lambda flow: flow._id,
    node=AssetConflict.from_row,
    filters=("statuses",),
)

_DISCOVERY_FLOW_ROW = RowMapping(
    _id="id",
    _flow_id="flow_id",
    _data_import_id="data_import_id",
    name="flow_name",
    status=Enumerated(DiscoveryFlowStatus, "status"),
    current_phase="current_phase",
    progress_percentage="progress_percentage",
    _phases_completed=Derived(lambda row: tuple(row[column] for column in PHASE_COLUMNS), PHASE_COLUMNS),
    assessment_ready="assessment_ready",
    error_message="error_message",
    error_phase="error_phase",
    created_at="created_at",
    updated_at="updated_at",
    completed_at="completed_at",
    phase_state=_state("phase_state"),
    agent_insights=_state("agent_insights"),
    error_details=_state("error_details"),
)


@strawberry.type(description="The discovery work behind a master flow: its phases and the data it imported.")
class DiscoveryFlow:
    _id: strawberry.Private[UUID]  # keys its asset conflicts; never a field
    _flow_id: strawberry.Private[UUID]  # keys its cleansing recommendations; never a field
    _data_import_id: strawberry.Private[UUID | None]
    _phases_completed: strawberry.Private[tuple[bool, ...]]  # in the order of _PHASES
    name: str | None = strawberry.field(description="The discovery flow's name.")
    status: DiscoveryFlowStatus = strawberry.field(description="Where the flow is; UNKNOWN for values outside the list.")
    status_raw: str = strawberry.field(description="The status exactly as stored.")
    current_phase: str | None = strawberry.field(description="The phase the flow is in, as stored.")
    progress_percentage: float | None = strawberry.field(description="Progress of the flow, 0 to 100.")
    phases: list[PhaseProgress] = strawberry.field(resolver=_phases, description="Every phase, in the order they run, with its completion.")
    next_phase: DiscoveryPhase | None = strawberry.field(
        resolver=_next_phase, description="The first phase, in running order, not completed; null when all are."
    )
    assessment_ready: bool = strawberry.field(description="Whether the discovered inventory is ready for assessment.")
    error_message: str | None = strawberry.field(description="Why the flow failed, if it did.")
    error_phase: str | None = strawberry.field(description="The phase the flow failed in, if it did.")
    created_at: datetime = strawberry.field(description="When the flow was created.")
    updated_at: datetime = strawberry.field(description="When the flow last changed.")
    completed_at: datetime | None = strawberry.field(description="When the flow completed, if it has.")
    phase_state: JSON | None = strawberry.field(
        description=f"The flow's per-phase state as the platform keeps it (import category, previews, conflict state), {_REDACTED}"
    )
    agent_insights: JSON | None = strawberry.field(description=f"What the flow's agents reported (`crewai_state_data.agent_insights`), {_REDACTED}")
    error_details: JSON | None = strawberry.field(description=f"The details of the flow's failure, if it failed, {_REDACTED}")

    @classmethod
    def columns_for(cls, fields: frozenset[str]) -> frozenset[str]:
        """The columns (`db.queries.discovery_flows.COLUMNS`) that selecting `fields` of a discovery flow reads."""
        return _DISCOVERY_FLOW_ROW.columns_for(fields, _RESOLVERS_READ)

    @classmethod
    def builder(cls, columns: frozenset[str]) -> Callable[[Record], DiscoveryFlow]:
        """Discovery flows from rows holding `columns`."""
        return _DISCOVERY_FLOW_ROW.builder(cls, columns)

    @batched(_imports, description="The import this discovery flow links to; null when it links none.")
    async def data_import(self, info: strawberry.Info) -> DataImport | None: ...

    @batched(_CLEANSING.resolve, description="What the data-cleansing phase recommends, oldest first, a page at a time.")
    async def cleansing_recommendations(
        self,
        info: strawberry.Info,
        first: Annotated[int, strawberry.argument(description=f"Page size, 1 to {FINDINGS_PAGE_CAP}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="Start after this cursor.")] = None,
        filter: Annotated[CleansingRecommendationFilter | None, strawberry.argument(description="Keep matching recommendations only.")] = None,
    ) -> Connection[CleansingRecommendation]: ...

    @batched(_CONFLICTS.resolve, description="Imported assets that collide with existing ones, and their resolutions, oldest first, by page.")
    async def asset_conflicts(
        self,
        info: strawberry.Info,
        first: Annotated[int, strawberry.argument(description=f"Page size, 1 to {FINDINGS_PAGE_CAP}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="Start after this cursor.")] = None,
        filter: Annotated[AssetConflictFilter | None, strawberry.argument(description="Keep matching conflicts only.")] = None,
    ) -> Connection[AssetConflict]: ...


_RESOLVERS_READ = {
    "phases": ("_phases_completed",),
    "nextPhase": ("_phases_completed",),
    "dataImport": ("_data_import_id",),
    "cleansingRecommendations": ("_flow_id",),
    "assetConflicts": ("_id",),
}
"""The attributes each resolver field of a discovery flow reads."""
