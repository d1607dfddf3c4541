"""What a discovery flow's later phases found: cleansing recommendations and asset conflicts, paged per flow.

Recommendations hang off the discovery flow's `flow_id`, conflicts off its
row `id`: the platform keys them differently, and so do these lists.
Neither list reads a user's or an asset's ID.
"""

from __future__ import annotations

from db.queries.child_pages import ChildList, EnumeratedColumn
from db.tables import asset_conflict_resolutions, data_cleansing_recommendations, discovery_flows

__all__ = [
    "ASSET_CONFLICTS",
    "CLEANSING_RECOMMENDATIONS",
    "CONFLICT_STATUS",
    "RECOMMENDATION_PRIORITY",
    "RECOMMENDATION_STATUS",
]

RECOMMENDATION_STATUS = EnumeratedColumn("status", ("pending", "applied", "rejected"))
RECOMMENDATION_PRIORITY = EnumeratedColumn("priority", ("critical", "high", "medium", "low"))
CONFLICT_STATUS = EnumeratedColumn("resolution_status", ("pending", "resolved", "skipped", "system_merged"))

CLEANSING_RECOMMENDATIONS = ChildList(
    table=data_cleansing_recommendations,
    link="flow_id",
    parent=discovery_flows,
    parent_key="flow_id",
    order="created_at",
    columns=(
        "category",
        "title",
        "description",
        "priority",
        "impact",
        "effort_estimate",
        "fields_affected",
        "status",
        "action_notes",
        "applied_at",
        "created_at",
        "updated_at",
    ),
    filters=(RECOMMENDATION_STATUS, RECOMMENDATION_PRIORITY),
)
"""A discovery flow's cleansing recommendations, oldest first, filtered by status and priority."""

ASSET_CONFLICTS = ChildList(
    table=asset_conflict_resolutions,
    link="discovery_flow_id",
    parent=discovery_flows,
    parent_key="id",
    order="created_at",
    columns=(
        "conflict_type",
        "conflict_key",
        "existing_asset_snapshot",
        "new_asset_data",
        "resolution_status",
        "resolution_action",
        "merge_field_selections",
        "resolved_at",
        "resolution_notes",
        "created_at",
        "updated_at",
    ),
    filters=(CONFLICT_STATUS,),
)
"""A discovery flow's asset conflicts, oldest first, filtered by resolution status."""
