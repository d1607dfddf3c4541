"""The indexes Flowgate's reads need, as one list: migrations create them, `python -m db indexes` recommends them.

Each key is written the way PostgreSQL renders it in `pg_get_indexdef`, so an
existing index is recognised by its key columns whatever its name.  The
master-flow list keys order by `COALESCE(timestamp, '-infinity')`, the sort
key of `db.tables.ordering_key`: the platform's timestamps are nullable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["GATEWAY_INDEXES", "GatewayIndex", "created_by", "missing_indexes", "recommendations", "serves"]


@dataclass(frozen=True)
class GatewayIndex:
    """One index: its name, its table, its key (as `pg_get_indexdef` renders it), the read it serves, and the migration that creates it."""

    name: str
    table: str
    key: str
    serves: str
    revision: str = "0003"

    def create_statement(self, schema: str, *, concurrently: bool) -> str:
        """`CREATE INDEX` for this index in `schema`, `CONCURRENTLY` when it must not block writers."""
        how = "CONCURRENTLY " if concurrently else ""
        return f"CREATE INDEX {how}IF NOT EXISTS {self.name} ON {schema}.{self.table} ({self.key})"


GATEWAY_INDEXES = (
    GatewayIndex(
        "ix_flowgate_raw_records_page",
        "raw_import_records",
        "data_import_id, row_number, id",
        "record pages (DataImport.rawRecords): one index range per page",
    ),
    GatewayIndex(
        "ix_flowgate_master_flows_created",
        "crewai_flow_state_extensions",
        "client_account_id, engagement_id, COALESCE(created_at, '-infinity'::timestamp with time zone), flow_id",
        "masterFlows ordered by CREATED_AT",
    ),
    GatewayIndex(
        "ix_flowgate_master_flows_updated",
        "crewai_flow_state_extensions",
        "client_account_id, engagement_id, COALESCE(updated_at, '-infinity'::timestamp with time zone), flow_id",
        "masterFlows ordered by UPDATED_AT",
    ),
    GatewayIndex(
        "ix_flowgate_master_flows_parent",
        "crewai_flow_state_extensions",
        "parent_flow_id",
        "MasterFlow.childFlows",
    ),
    GatewayIndex(
        "ix_flowgate_field_mappings_page",
        "import_field_mappings",
        "data_import_id, COALESCE(created_at, '-infinity'::timestamp with time zone), id",
        "field mapping pages (DataImport.fieldMappings)",
        revision="0005",
    ),
    GatewayIndex(
        "ix_flowgate_cleansing_page",
        "data_cleansing_recommendations",
        "flow_id, created_at, id",
        "cleansing recommendation pages (DiscoveryFlow.cleansingRecommendations)",
        revision="0005",
    ),
    GatewayIndex(
        "ix_flowgate_conflicts_page",
        "asset_conflict_resolutions",
        "discovery_flow_id, created_at, id",
        "asset conflict pages (DiscoveryFlow.assetConflicts)",
        revision="0005",
    ),
    GatewayIndex(
        "ix_flowgate_assets_raw_record",
        "assets",
        "raw_import_records_id",
        "RawImportRecord.asset, where the asset names its record",
        revision="0005",
    ),
)
"""Most important first: without the first, every record page scans all of its tenant's records."""


def created_by(revision: str) -> list[GatewayIndex]:
    """The gateway indexes migration `revision` creates."""
    return [index for index in GATEWAY_INDEXES if index.revision == revision]


def serves(index: GatewayIndex, definitions: list[str]) -> bool:
    """Whether one of `definitions` (`pg_get_indexdef` texts of the table's indexes) has `index`'s key as its leading columns."""
    return any(
        (f"USING btree ({index.key})" in definition or f"USING btree ({index.key}, " in definition) and f".{index.table} USING" in definition
        for definition in definitions
    )


async def missing_indexes(connection: Any, schema: str) -> list[GatewayIndex]:
    """The gateway indexes `schema` lacks, most important first; an asyncpg connection.

    An index counts as present when one on its table leads with its key, whatever its name.
    """
    definitions = [row[0] for row in await connection.fetch("SELECT indexdef FROM pg_indexes WHERE schemaname = $1", schema)]
    return [index for index in GATEWAY_INDEXES if not serves(index, definitions)]


async def recommendations(connection: Any, schema: str) -> list[str]:
    """For each gateway index, most important first: a comment that it is present, or its `CREATE INDEX CONCURRENTLY`."""
    missing = await missing_indexes(connection, schema)
    lines = []
    for index in GATEWAY_INDEXES:
        if index not in missing:
            lines.append(f"-- present: {index.table} ({index.key}), for {index.serves}")
        else:
            lines.append(f"-- missing, for {index.serves}:")
            lines.append(index.create_statement(schema, concurrently=True) + ";")
    return lines
