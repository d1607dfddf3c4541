"""Field mappings: how each source column of an import maps to an attribute, reached only as `DataImport.fieldMappings`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from asyncpg import Record
from strawberry.scalars import JSON

from graph.schema.json_redaction import is_uuid
from graph.schema.rows import Derived, Enumerated, RowMapping
from graph.schema.types.enums import FieldMappingStatus

__all__ = ["FieldMapping", "FieldMappingFilter", "FieldMappingSummary"]

_FIELD_MAPPING_ROW = RowMapping(
    _id="_id",
    _at="_at",
    source_field="source_field",
    target_field="target_field",
    match_type="match_type",
    confidence_score="confidence_score",
    status=Enumerated(FieldMappingStatus, "status"),
    suggested_by="suggested_by",
    approved_by=Derived(lambda row: None if is_uuid(row["approved_by"]) else row["approved_by"], ("approved_by",)),
    approved_at="approved_at",
    transformation_rules="transformation_rules",
    field_type="field_type",
    agent_reasoning="agent_reasoning",
    created_at="created_at",
    updated_at="updated_at",
)


@strawberry.type(description="How one source column of an import maps to an attribute of the asset model.")
class FieldMapping:
    _id: strawberry.Private[UUID]  # positions the mapping in its cursor, sealed; never a field
    _at: strawberry.Private[datetime]
    source_field: str = strawberry.field(description="The column of the imported file.")
    target_field: str = strawberry.field(description="The asset attribute it maps to; the platform stores `UNMAPPED` for a column not mapped yet.")
    match_type: str = strawberry.field(description="How the match was made, as stored (e.g. `direct`, `fuzzy`).")
    confidence_score: float | None = strawberry.field(description="How confident the suggestion is, 0 to 1.")
    status: FieldMappingStatus = strawberry.field(description="Where the mapping is in review; UNKNOWN for values outside the list (and none).")
    status_raw: str | None = strawberry.field(description="The status exactly as stored.")
    suggested_by: str | None = strawberry.field(description="Who or what suggested the mapping (e.g. `ai_mapper`).")
    approved_by: str | None = strawberry.field(
        description=(
            "Who approved the mapping, as the platform recorded it (an e-mail address, `system`, …); "
            "null if nobody did, or where the platform stored the approver's user ID, an internal ID this API never returns."
        )
    )
    approved_at: datetime | None = strawberry.field(description="When the mapping was approved, if it was.")
    transformation_rules: JSON | None = strawberry.field(description="How values are transformed on the way to the attribute.")
    field_type: str | None = strawberry.field(description="The data type of the source column.")
    agent_reasoning: str | None = strawberry.field(description="Why the agent suggested this mapping.")
    created_at: datetime | None = strawberry.field(description="When the mapping was made; null where the platform did not record it.")
    updated_at: datetime | None = strawberry.field(description="When the mapping last changed; null where the platform did not record it.")

    @classmethod
    def from_row(cls, row: Record) -> FieldMapping:
        return _FIELD_MAPPING_ROW.instance(cls, row)


@strawberry.input(description="Conditions on field mappings; omitted conditions match every mapping.")
class FieldMappingFilter:
    statuses: list[FieldMappingStatus] | None = strawberry.field(
        default=None, description="Only mappings in these statuses (UNKNOWN matches every undocumented status)."
    )


@strawberry.type(description="How many of an import's field mappings are in each status.")
class FieldMappingSummary:
    total: int = strawberry.field(description="Every mapping of the import.")
    approved: int = strawberry.field(description="Mappings in APPROVED.")
    suggested: int = strawberry.field(description="Mappings in SUGGESTED.")
    rejected: int = strawberry.field(description="Mappings in REJECTED.")
    pending: int = strawberry.field(description="Mappings in PENDING.")
    unmapped: int = strawberry.field(description="Mappings in UNMAPPED.")
    unknown: int = strawberry.field(description="Mappings whose status is outside the list, or missing.")

    @classmethod
    def of(cls, counts: dict[str, int]) -> FieldMappingSummary:
        """The summary of `counts`, by stored status (undocumented ones as `unknown`)."""
        by_status = {member.name.lower(): counts.get(member.value, 0) for member in FieldMappingStatus}
        return cls(total=sum(counts.values()), **by_status)
