"""Field mappings (`import_field_mappings`), paged per data import: how each source column maps to an asset attribute."""

from __future__ import annotations

from db.queries.child_pages import ChildList, EnumeratedColumn
from db.tables import data_imports, import_field_mappings

__all__ = ["FIELD_MAPPINGS", "MAPPING_STATUS"]

MAPPING_STATUS = EnumeratedColumn("status", ("suggested", "approved", "rejected", "pending", "unmapped"))
"""The statuses the platform documents for a mapping."""

FIELD_MAPPINGS = ChildList(
    table=import_field_mappings,
    link="data_import_id",
    parent=data_imports,
    parent_key="id",
    order="created_at",
    columns=(
        "source_field",
        "target_field",
        "match_type",
        "confidence_score",
        "status",
        "suggested_by",
        "approved_by",
        "approved_at",
        "transformation_rules",
        "field_type",
        "agent_reasoning",
        "created_at",
        "updated_at",
    ),
    filters=(MAPPING_STATUS,),
)
"""An import's mappings, oldest first, filtered by status."""
