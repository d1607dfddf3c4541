"""What a discovery flow's later phases found: cleansing recommendations and asset conflicts, reached only from the flow."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from asyncpg import Record
from strawberry.scalars import JSON

from graph.schema.json_redaction import without_ids
from graph.schema.rows import Derived, Enumerated, RowMapping
from graph.schema.types.enums import (
    AssetConflictStatus,
    AssetConflictType,
    CleansingCategory,
    CleansingPriority,
    CleansingStatus,
    ConflictResolutionAction,
)

__all__ = ["AssetConflict", "AssetConflictFilter", "CleansingRecommendation", "CleansingRecommendationFilter"]

_CLEANSING_ROW = RowMapping(
    _id="_id",
    _at="_at",
    category=Enumerated(CleansingCategory, "category"),
    title="title",
    description="description",
    priority=Enumerated(CleansingPriority, "priority"),
    impact="impact",
    effort_estimate="effort_estimate",
    fields_affected="fields_affected",
    status=Enumerated(CleansingStatus, "status"),
    action_notes="action_notes",
    applied_at="applied_at",
    created_at="created_at",
    updated_at="updated_at",
)


@strawberry.type(description="A change the data-cleansing phase recommends for the imported data.")
class CleansingRecommendation:
    _id: strawberry.Private[UUID]  # positions it in its cursor, sealed; never a field
    _at: strawberry.Private[datetime]
    category: CleansingCategory = strawberry.field(description="What kind of improvement it is; UNKNOWN for values outside the list.")
    category_raw: str = strawberry.field(description="The category exactly as stored.")
    title: str = strawberry.field(description="A one-line summary.")
    description: str = strawberry.field(description="What to change, and why.")
    priority: CleansingPriority = strawberry.field(description="How urgent it is; UNKNOWN for values outside the list.")
    priority_raw: str = strawberry.field(description="The priority exactly as stored.")
    impact: str | None = strawberry.field(description="What applying it improves.")
    effort_estimate: str | None = strawberry.field(description="How much work applying it takes, as estimated.")
    fields_affected: JSON | None = strawberry.field(description="The fields it concerns.")
    status: CleansingStatus = strawberry.field(description="What became of it; UNKNOWN for values outside the list.")
    status_raw: str = strawberry.field(description="The status exactly as stored.")
    action_notes: str | None = strawberry.field(description="Notes left when it was applied or rejected.")
    applied_at: datetime | None = strawberry.field(description="When it was applied, if it was.")
    created_at: datetime = strawberry.field(description="When it was made.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @classmethod
    def from_row(cls, row: Record) -> CleansingRecommendation:
        return _CLEANSING_ROW.instance(cls, row)


@strawberry.input(description="Conditions on cleansing recommendations; a list matches any of its values, omitted conditions match every one.")
class CleansingRecommendationFilter:
    statuses: list[CleansingStatus] | None = strawberry.field(
        default=None, description="Only recommendations in these statuses (UNKNOWN matches every undocumented status)."
    )
    priorities: list[CleansingPriority] | None = strawberry.field(
        default=None, description="Only recommendations of these priorities (UNKNOWN matches every undocumented priority)."
    )


_CONFLICT_ROW = RowMapping(
    _id="_id",
    _at="_at",
    conflict_type=Enumerated(AssetConflictType, "conflict_type"),
    conflict_key="conflict_key",
    existing_asset=Derived(lambda row: without_ids(row["existing_asset_snapshot"]), ("existing_asset_snapshot",)),
    new_asset=Derived(lambda row: without_ids(row["new_asset_data"]), ("new_asset_data",)),
    status=Enumerated(AssetConflictStatus, "resolution_status"),
    resolution_action=Enumerated(ConflictResolutionAction, "resolution_action", optional=True),
    merge_field_selections=Derived(lambda row: without_ids(row["merge_field_selections"]), ("merge_field_selections",)),
    resolved_at="resolved_at",
    resolution_notes="resolution_notes",
    created_at="created_at",
    updated_at="updated_at",
)
_REDACTED = "without the IDs it holds (keys naming an ID, and UUID values, are removed at any depth)"


@strawberry.type(description="An imported asset that collides with one already in the inventory, and what was decided.")
class AssetConflict:
    _id: strawberry.Private[UUID]  # positions it in its cursor, sealed; never a field
    _at: strawberry.Private[datetime]
    conflict_type: AssetConflictType = strawberry.field(description="What the two collide on; UNKNOWN for values outside the list.")
    conflict_type_raw: str = strawberry.field(description="The conflict type exactly as stored.")
    conflict_key: str = strawberry.field(description="The value they share (a hostname, an IP address, a name).")
    existing_asset: JSON = strawberry.field(description=f"The asset already in the inventory, as it was when the conflict arose, {_REDACTED}.")
    new_asset: JSON = strawberry.field(description=f"The imported asset's data, {_REDACTED}.")
    status: AssetConflictStatus = strawberry.field(description="Where its resolution is; UNKNOWN for values outside the list.")
    status_raw: str = strawberry.field(description="The resolution status exactly as stored.")
    resolution_action: ConflictResolutionAction | None = strawberry.field(
        description="How it was resolved; null while pending, UNKNOWN for values outside the list."
    )
    resolution_action_raw: str | None = strawberry.field(description="The resolution action exactly as stored.")
    merge_field_selections: JSON | None = strawberry.field(description=f"For a merge, which asset each field was taken from, {_REDACTED}.")
    resolved_at: datetime | None = strawberry.field(description="When it was resolved, if it was.")
    resolution_notes: str | None = strawberry.field(description="Notes left with the resolution.")
    created_at: datetime = strawberry.field(description="When the conflict arose.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @classmethod
    def from_row(cls, row: Record) -> AssetConflict:
        return _CONFLICT_ROW.instance(cls, row)


@strawberry.input(description="Conditions on asset conflicts; omitted conditions match every conflict.")
class AssetConflictFilter:
    statuses: list[AssetConflictStatus] | None = strawberry.field(
        default=None, description="Only conflicts in these resolution statuses (UNKNOWN matches every undocumented status)."
    )
