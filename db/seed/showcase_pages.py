"""The showcase flow's discovery pages: its field mappings, flow state, cleansing findings and assets.

The showcase discovery flow is in its field-mapping phase: its CMDB import has
a mapping per column in every review status, the cleansing agent has a few
recommendations, its first cleansed records have become assets, and one of them
collides with an asset entered by hand.  Like the platform's own rows, the
state and the conflict's JSON carry internal IDs, which the gateway strips.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Table

from db.seed.rows import (
    Row,
    Tenant,
    asset_conflict_row,
    asset_row,
    cleansing_recommendation_row,
    field_mapping_row,
)
from db.tables import asset_conflict_resolutions, assets, data_cleansing_recommendations, import_field_mappings

__all__ = ["ASSET_RECORDS", "showcase_page_rows", "showcase_state"]

ASSET_RECORDS = 24
"""How many of the import's first records have become assets."""

# (source column, target attribute, match type, confidence, status, field type, reasoning)
_MAPPINGS = (
    ("hostname", "hostname", "direct", 0.98, "approved", "string", "The column name and values match the hostname attribute exactly."),
    ("ip", "ip_address", "fuzzy", 0.95, "approved", "string", "Every value is a dotted IPv4 address."),
    ("os", "operating_system", "semantic", 0.91, "approved", "string", "Values are operating-system names such as Windows Server and RHEL."),
    ("environment", "environment", "direct", 0.97, "approved", "string", "Values are environment tiers: production, staging, test."),
    ("os_version", "os_version", "direct", 0.88, "suggested", "string", "Values are version numbers next to an operating-system column."),
    ("cpu_cores", "cpu_cores", "direct", 0.93, "suggested", "integer", "Small integers, powers of two: a core count."),
    ("memory_gb", "memory_gb", "direct", 0.92, "suggested", "number", "Values scale with the core count, in gigabytes."),
    ("application", "application_name", "semantic", 0.77, "suggested", "string", "Values name business applications."),
    ("criticality", "business_criticality", "semantic", 0.84, "suggested", "string", "Values are tiers: low, medium, high, critical."),
    ("storage_gb", "storage_gb", "direct", 0.62, "pending", "number", "Could be allocated or used storage; a person should confirm."),
    ("datacenter", "location", "semantic", 0.55, "pending", "string", "Site codes, which the asset model holds as a location."),
    ("owner", "technical_owner", "semantic", 0.58, "rejected", "string", "E-mail addresses of people; likely the technical owner."),
    ("rack_unit", "UNMAPPED", "unmapped", 0.0, "unmapped", "string", "No attribute of the asset model holds a rack position."),
)

# (category, title, priority, fields affected, status, impact)
_RECOMMENDATIONS = (
    ("standardization", "Lower-case hostnames", "high", ["hostname"], "applied", "15% of the hostnames are upper case, which splits duplicates."),
    ("validation", "Reject malformed IP addresses", "high", ["ip"], "pending", "Rows with an invalid address cannot be matched to network scans."),
    ("standardization", "Normalise environment names", "medium", ["environment"], "pending", "Tiers are spelt in more than one way."),
    ("enrichment", "Fill missing owners from the application catalogue", "low", ["owner", "application"], "rejected", "A few servers have no owner."),
)


def showcase_state(*, data_import_id: UUID, at: datetime) -> Row:
    """The showcase discovery row's JSON state, shaped as the platform writes it (IDs included)."""
    return {
        "phase_state": {
            "conflict_resolution_pending": True,
            "conflict_metadata": {"conflict_count": 1, "data_import_id": str(data_import_id), "paused_at": at.isoformat()},
            "data_validation_decisions": {"proceed_with_warnings": True, "invalid_rows": "quarantined"},
        },
        "crewai_state_data": {
            "agent_insights": [
                {
                    "agent": "Data Validation Agent",
                    "insight": "4% of the rows fail validation, mostly malformed addresses.",
                    "confidence": 0.93,
                    "timestamp": at.isoformat(),
                },
                {
                    "agent": "Attribute Mapping Agent",
                    "insight": "12 of 13 columns map to the asset model; rack_unit has no attribute.",
                    "confidence": 0.88,
                    "timestamp": at.isoformat(),
                },
            ],
        },
    }


def showcase_page_rows(
    tenant: Tenant, *, data_import_id: UUID, discovery_row: Row, records: Sequence[Row], at: datetime, seed_uuid: Callable[[str], UUID]
) -> dict[Table, list[Row]]:
    """The pages' rows of the showcase discovery flow (`discovery_row`) and its import's `records`, from `at` on.

    Every asset names its record (`raw_import_records_id`), as the platform writes it first; the
    first half of those records also name their asset (`asset_id`, set here in place), as the
    platform backfills later.
    """
    mappings = [
        field_mapping_row(
            tenant,
            id=seed_uuid(f"mapping/{source}"),
            data_import_id=data_import_id,
            master_flow_id=discovery_row["master_flow_id"],
            source_field=source,
            target_field=target,
            match_type=match_type,
            confidence_score=confidence,
            status=status,
            approved_by="maria.schmidt@example.com" if status == "approved" else None,
            approved_at=at + timedelta(hours=2, minutes=index) if status == "approved" else None,
            transformation_rules={"lowercase": True} if source == "hostname" else None,
            field_type=field_type,
            agent_reasoning=reasoning,
            created_at=at + timedelta(minutes=index),
            updated_at=at + timedelta(hours=2, minutes=index),
        )
        for index, (source, target, match_type, confidence, status, field_type, reasoning) in enumerate(_MAPPINGS)
    ]
    recommendations = [
        cleansing_recommendation_row(
            tenant,
            id=seed_uuid(f"recommendation/{title}"),
            flow_id=discovery_row["flow_id"],
            category=category,
            title=title,
            description=f"{title}: {impact}",
            priority=priority,
            impact=impact,
            effort_estimate="minutes",
            fields_affected=fields,
            status=status,
            applied_at=at + timedelta(hours=3) if status == "applied" else None,
            created_at=at + timedelta(hours=1, minutes=index),
            updated_at=at + timedelta(hours=3),
        )
        for index, (category, title, priority, fields, status, impact) in enumerate(_RECOMMENDATIONS)
    ]
    cleansed = [record for record in records if record["cleansed_data"]]
    record_assets = [_asset_of(tenant, record, index, at, seed_uuid) for index, record in enumerate(cleansed[:ASSET_RECORDS])]
    duplicate = cleansed[ASSET_RECORDS]
    entered_by_hand = asset_row(
        tenant,
        id=seed_uuid("asset/entered-by-hand"),
        name=duplicate["cleansed_data"]["hostname"],
        hostname=duplicate["cleansed_data"]["hostname"],
        description="Entered by hand before the CMDB import.",
        environment="production",
        status="active",
        created_at=at - timedelta(days=30),
    )
    conflict = asset_conflict_row(
        tenant,
        id=seed_uuid("conflict/entered-by-hand"),
        discovery_flow_id=discovery_row["id"],
        master_flow_id=discovery_row["master_flow_id"],
        data_import_id=data_import_id,
        conflict_key=entered_by_hand["hostname"],
        existing_asset_id=entered_by_hand["id"],
        existing_asset_snapshot={
            "id": str(entered_by_hand["id"]),
            "name": entered_by_hand["name"],
            "hostname": entered_by_hand["hostname"],
            "environment": "production",
        },
        new_asset_data={
            **{key: duplicate["cleansed_data"][key] for key in ("hostname", "ip", "os", "environment")},
            "raw_import_records_id": str(duplicate["id"]),
            "master_flow_id": str(discovery_row["master_flow_id"]),
            "discovery_flow_id": str(discovery_row["id"]),
        },
        created_at=at + timedelta(hours=4),
        updated_at=at + timedelta(hours=4),
    )
    return {
        import_field_mappings: mappings,
        assets: [entered_by_hand, *record_assets],
        data_cleansing_recommendations: recommendations,
        asset_conflict_resolutions: [conflict],
    }


def _asset_of(tenant: Tenant, record: Row, index: int, at: datetime, seed_uuid: Callable[[str], UUID]) -> Row:
    """The asset cleansed `record` became; records in the first half get its ID as their `asset_id`."""
    data = record["cleansed_data"]
    asset_id = seed_uuid(f"asset/{record['id']}")
    if index < ASSET_RECORDS // 2:
        record["asset_id"] = asset_id
    return asset_row(
        tenant,
        id=asset_id,
        name=data["hostname"],
        asset_name=data["hostname"],
        hostname=data["hostname"],
        ip_address=data["ip"],
        environment=data["environment"],
        location=data["datacenter"],
        operating_system=data["os"],
        os_version=data["os_version"],
        cpu_cores=data["cpu_cores"],
        memory_gb=data["memory_gb"],
        storage_gb=data["storage_gb"],
        business_owner=data["owner"],
        application_name=data["application"],
        criticality=data["criticality"],
        business_criticality=data["criticality"],
        status="discovered",
        raw_import_records_id=record["id"],
        created_at=at + timedelta(hours=5, seconds=index),
    )
