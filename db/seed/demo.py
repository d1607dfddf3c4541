"""The demo dataset: three tenants, every flow type and status, and the ID traps.

Every row is derived from fixed names (uuid5), fixed random seeds and a fixed
base time, so the dataset is the same on every run.  The data is built to
trigger each trap of design §1; a comment marks every row that does.
`seed_uuid` and `BASE_TIME` are shared with the benchmark dataset.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID

from sqlalchemy import Table

from db.engine import create_admin_engine
from db.seed.cmdb import PEOPLE, cleanse_record, cmdb_record, corrupt_record
from db.seed.rows import (
    TABLES_IN_INSERT_ORDER,
    Row,
    Tenant,
    analyze,
    data_import_row,
    delete_tenants,
    discovery_flow_row,
    discovery_progress,
    insert_rows,
    master_flow_row,
    raw_record_row,
)
from db.seed.showcase_pages import showcase_page_rows, showcase_state
from db.settings import DatabaseSettings
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records

__all__ = [
    "BASE_TIME",
    "DEMO_FLOW_ID",
    "DEMO_TENANT",
    "DEMO_TENANTS",
    "OTHER_TENANT",
    "THIRD_TENANT",
    "demo_rows",
    "seed_demo",
    "seed_uuid",
]

_NAMESPACE = UUID("6f1c9a52-3d4e-4b8a-9c71-0e2f5a7d8b13")
_SEED = "flowgate-demo"
BASE_TIME = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def seed_uuid(name: str) -> UUID:
    """The seed data's UUID for `name`: uuid5 in a fixed namespace, stable across runs."""
    return uuid.uuid5(_NAMESPACE, name)


def _flow_id(key: str) -> UUID:
    return seed_uuid(f"flow/{key}")


def _import_id(key: str) -> UUID:
    return seed_uuid(f"import/{key}")


def _tenant(client: str, engagement: str) -> Tenant:
    return Tenant(seed_uuid(f"client/{client}"), seed_uuid(f"engagement/{client}/{engagement}"))


DEMO_TENANT = _tenant("acme", "datacenter-exit")
OTHER_TENANT = _tenant("acme", "sap-move")
THIRD_TENANT = _tenant("globex", "cloud-foundation")
DEMO_TENANTS = (DEMO_TENANT, OTHER_TENANT, THIRD_TENANT)
_SHOWCASE = "fra-discovery"
DEMO_FLOW_ID = _flow_id(_SHOWCASE)
"""The showcase discovery master flow of `DEMO_TENANT` (the README's example)."""

# --- the dataset -----------------------------------------------------------


@dataclass(frozen=True)
class _Flow:
    key: str
    flow_type: str
    flow_status: str
    name: str
    parent: str | None = None
    row_id: UUID | None = None  # the master row's PK when a trap needs it; name-derived otherwise


@dataclass(frozen=True)
class _Import:
    key: str
    import_type: str
    status: str
    records: int
    name: str
    filename: str
    source_system: str
    datacenter: str
    hours: int  # created_at, in hours after BASE_TIME
    master_flow: str | None = None  # the denormalised data_imports.master_flow_id
    id: UUID | None = None  # when a trap needs it; name-derived otherwise
    invalid_share: float = 0.04
    error_message: str | None = None


@dataclass(frozen=True)
class _Discovery:
    flow: str  # the master flow this row bridges from
    status: str
    progress: float
    data_import: str | None
    name: str | None = None  # the master flow's name unless given
    flow_id: UUID | None = None  # discovery_flows.flow_id when a trap needs it
    error: str | None = None


_FLOWS: tuple[tuple[Tenant, tuple[_Flow, ...]], ...] = (
    (
        DEMO_TENANT,
        (
            _Flow("fra-discovery", "discovery", "running", "Discovery: Frankfurt DC1 CMDB"),
            _Flow("ams-discovery", "discovery", "completed", "Discovery: Amsterdam asset inventory"),
            # Trap 3: this master row's `id` is the `id` of the import "dal-cmdb".
            _Flow("net-discovery", "discovery", "failed", "Discovery: network scan", row_id=_import_id("dal-cmdb")),
            _Flow("apps-discovery", "discovery", "paused", "Discovery: business application catalogue"),
            _Flow("dal-discovery", "discovery", "waiting_for_approval", "Discovery: Dallas DC1 CMDB"),
            _Flow("sheet-discovery", "discovery", "processing", "Discovery: spreadsheet upload (beta)"),
            _Flow("upload-discovery", "discovery", "initialized", "Discovery: awaiting upload"),
            # No discovery row in any tenant: `discovery` is null.
            _Flow("idle-discovery", "discovery", "initialized", "Discovery: Singapore DC3 (not started)"),
            # Unknown status; its only discovery row belongs to OTHER_TENANT, so `discovery` is null.
            _Flow("mainframe-discovery", "discovery", "stalled", "Discovery: legacy mainframe"),
            _Flow("dup-discovery", "discovery", "cancelled", "Discovery: duplicate CMDB upload"),
            _Flow("pilot-discovery", "discovery", "completed", "Discovery: 2025 pilot batch"),
            _Flow("fra-assessment", "assessment", "active", "Assessment: Frankfurt DC1", parent="fra-discovery"),
            _Flow("fra-collection", "collection", "processing", "Collection: Frankfurt DC1 owner questionnaires", parent="fra-discovery"),
            _Flow("fra-planning", "planning", "waiting_for_approval", "Planning: Frankfurt DC1 move waves", parent="fra-assessment"),
            _Flow("ams-assessment", "assessment", "completed", "Assessment: Amsterdam", parent="ams-discovery"),
            _Flow("net-assessment", "assessment", "failed", "Assessment: network dependencies"),
            _Flow("dal-collection", "collection", "paused", "Collection: Dallas server owners"),
            _Flow("sin-collection", "collection", "initialized", "Collection: Singapore licences"),
            _Flow("ams-planning", "planning", "completed", "Planning: Amsterdam move groups", parent="ams-assessment"),
            _Flow("dal-planning", "planning", "active", "Planning: Dallas wave sequencing"),
            # Trap 4: this master row's `id` is DEMO_FLOW_ID, the `flow_id` of "fra-discovery".
            _Flow("wave1-execution", "execution", "running", "Execution: wave 1 (Amsterdam)", parent="ams-planning", row_id=DEMO_FLOW_ID),
            _Flow("wave2-execution", "execution", "failed", "Execution: wave 2 rehearsal"),
            _Flow("wave3-execution", "execution", "cancelled", "Execution: wave 3 (withdrawn)"),
            _Flow("orders-modernize", "modernize", "active", "Modernize: order service to containers"),
            _Flow("portal-modernize", "modernize", "initialized", "Modernize: customer portal to PaaS"),
            _Flow("ri-finops", "finops", "processing", "FinOps: reserved instance review"),
            _Flow("q4-finops", "finops", "completed", "FinOps: Q4 right-sizing"),
            _Flow("ams-observability", "observability", "running", "Observability: post-migration monitoring"),
            _Flow("fra-decommission", "decommission", "waiting_for_approval", "Decommission: Frankfurt DC1 racks"),
            _Flow("ams-decommission", "decommission", "cancelled", "Decommission: Amsterdam storage array"),
            # Unknown flow type.
            _Flow("v1-legacy", "legacy_migration", "active", "Legacy migration (imported from v1)"),
        ),
    ),
    (
        OTHER_TENANT,
        (
            _Flow("sap-discovery", "discovery", "active", "Discovery: SAP ECC hosts"),
            _Flow("sap-assessment", "assessment", "initialized", "Assessment: SAP ECC", parent="sap-discovery"),
            _Flow("sap-planning", "planning", "paused", "Planning: SAP cut-over"),
        ),
    ),
    (
        THIRD_TENANT,
        (
            _Flow("globex-discovery", "discovery", "completed", "Discovery: Globex primary site"),
            _Flow("globex-execution", "execution", "running", "Execution: Globex landing zone", parent="globex-discovery"),
            _Flow("globex-finops", "finops", "active", "FinOps: Globex budgets"),
        ),
    ),
)

_IMPORTS: tuple[tuple[Tenant, tuple[_Import, ...]], ...] = (
    (
        DEMO_TENANT,
        (
            # Traps 1 and 2: the import DEMO_FLOW_ID's discovery row links.  It is older than
            # "fra-reupload", and its denormalised master_flow_id names another flow.
            _Import(
                "fra-cmdb",
                "cmdb",
                "completed",
                1200,
                "Frankfurt DC1 CMDB export",
                "fra-dc1-cmdb.csv",
                "ServiceNow",
                "FRA-DC1",
                hours=1,
                master_flow="dal-discovery",
            ),
            _Import(
                "ams-assets",
                "asset_inventory",
                "completed",
                600,
                "Amsterdam asset inventory",
                "ams-dc2-assets.xlsx",
                "Device42",
                "AMS-DC2",
                hours=7,
                master_flow="ams-discovery",
            ),
            _Import(
                "net-scan",
                "network_data",
                "failed",
                300,
                "Network scan",
                "netscan-2026-01.json",
                "SolarWinds",
                "FRA-DC1",
                hours=13,
                master_flow="net-discovery",
                invalid_share=0.2,
                error_message="Validation stopped: more than 15% of the rows are invalid.",
            ),
            # Trap 3: this import's `id` is the `flow_id` of the master flow "ams-discovery",
            # whose discovery row links "ams-assets", not this import.
            _Import(
                "ams-apps",
                "business_apps",
                "processing",
                200,
                "Business application catalogue",
                "apps.csv",
                "LeanIX",
                "AMS-DC2",
                hours=19,
                master_flow="apps-discovery",
                id=_flow_id("ams-discovery"),
            ),
            _Import(
                "dal-cmdb",
                "cmdb",
                "validating",
                400,
                "Dallas DC1 CMDB export",
                "dal-dc1-cmdb.csv",
                "ServiceNow",
                "DAL-DC1",
                hours=25,
                master_flow="dal-discovery",
            ),
            # Unknown import type and status.
            _Import(
                "sheet-upload",
                "spreadsheet_v2",
                "quarantined",
                100,
                "Server list (new spreadsheet format)",
                "servers-v2.xlsx",
                "Excel",
                "SIN-DC3",
                hours=31,
                master_flow="sheet-discovery",
                invalid_share=0.3,
            ),
            # Trap 2: claims "upload-discovery" through master_flow_id, but that flow's
            # discovery row has data_import_id NULL, so the flow has no import.
            _Import(
                "pending-upload",
                "asset_inventory",
                "pending",
                0,
                "Singapore asset inventory",
                "sin-dc3-assets.csv",
                "Device42",
                "SIN-DC3",
                hours=37,
                master_flow="upload-discovery",
            ),
            _Import(
                "dup-cmdb",
                "cmdb",
                "cancelled",
                40,
                "Frankfurt DC1 CMDB export (duplicate)",
                "fra-dc1-cmdb (1).csv",
                "ServiceNow",
                "FRA-DC1",
                hours=55,
                master_flow="dup-discovery",
            ),
            _Import(
                "pilot-raw",
                "direct_raw_data",
                "archived",
                80,
                "Pilot batch (API)",
                "pilot.json",
                "Migration API",
                "AMS-DC2",
                hours=61,
                master_flow="pilot-discovery",
            ),
            # Traps 1 and 2: the NEWEST import of DEMO_TENANT is direct_raw_data, and its
            # denormalised master_flow_id is DEMO_FLOW_ID; no discovery row links it.
            _Import(
                "fra-reupload",
                "direct_raw_data",
                "processed",
                150,
                "Frankfurt DC1 re-upload (API)",
                "fra-dc1.json",
                "Migration API",
                "FRA-DC1",
                hours=24 * 30,
                master_flow="fra-discovery",
            ),
        ),
    ),
    (
        OTHER_TENANT,
        (
            _Import(
                "sap-cmdb",
                "cmdb",
                "completed",
                300,
                "SAP ECC host list",
                "sap-hosts.csv",
                "ServiceNow",
                "FRA-DC1",
                hours=200,
                master_flow="sap-discovery",
            ),
            _Import(
                "mainframe-assets",
                "asset_inventory",
                "discovery_initiated",
                120,
                "Mainframe LPAR inventory",
                "lpars.csv",
                "IBM Z Insights",
                "FRA-DC1",
                hours=206,
            ),
        ),
    ),
    (
        THIRD_TENANT,
        (
            _Import(
                "globex-cmdb",
                "cmdb",
                "completed",
                250,
                "Globex CMDB export",
                "globex-cmdb.csv",
                "BMC Helix",
                "DAL-DC1",
                hours=212,
                master_flow="globex-discovery",
            ),
        ),
    ),
)

_DISCOVERIES: tuple[tuple[Tenant, tuple[_Discovery, ...]], ...] = (
    (
        DEMO_TENANT,
        (
            # The platform's two-table pattern: the child's discovery_flows.flow_id is the master flow ID.
            _Discovery("fra-discovery", "running", 40.0, "fra-cmdb", flow_id=DEMO_FLOW_ID),
            _Discovery("ams-discovery", "completed", 100.0, "ams-assets"),
            _Discovery("net-discovery", "failed", 20.0, "net-scan", error="Data validation failed: too many invalid rows."),
            _Discovery("apps-discovery", "paused", 60.0, "ams-apps"),
            _Discovery("dal-discovery", "active", 50.0, "dal-cmdb"),
            # Unknown status.
            _Discovery("sheet-discovery", "rehydrating", 20.0, "sheet-upload"),
            # data_import_id NULL: `dataImport` is null.
            _Discovery("upload-discovery", "initialized", 0.0, None),
            _Discovery("dup-discovery", "cancelled", 20.0, "dup-cmdb"),
            _Discovery("pilot-discovery", "archived", 100.0, "pilot-raw"),
        ),
    ),
    (
        OTHER_TENANT,
        (
            _Discovery("sap-discovery", "running", 60.0, "sap-cmdb"),
            # Cross-tenant: an OTHER_TENANT row bridging from DEMO_TENANT's "mainframe-discovery".
            # It must show for neither tenant.
            _Discovery("mainframe-discovery", "completed", 100.0, "mainframe-assets", name="Discovery: mainframe LPARs (SAP move)"),
        ),
    ),
    (THIRD_TENANT, (_Discovery("globex-discovery", "completed", 100.0, "globex-cmdb"),)),
)

_PROCESSED_SHARE = {"completed": 1.0, "processed": 1.0, "archived": 1.0, "processing": 0.55, "failed": 0.4, "validating": 0.3}
_FINISHED_IMPORT = {"completed", "processed", "archived", "failed", "cancelled", "discovery_initiated"}
_CATEGORIES = {"network_data": "infrastructure", "business_apps": "applications", "direct_raw_data": "raw", "spreadsheet_v2": "raw"}
_MIME_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_T = TypeVar("_T")


def _each(groups: tuple[tuple[Tenant, tuple[_T, ...]], ...]) -> Iterator[tuple[Tenant, _T]]:
    for tenant, specs in groups:
        for spec in specs:
            yield tenant, spec


def _master_rows() -> dict[str, Row]:
    rng = random.Random(f"{_SEED}/flows")
    rows: dict[str, Row] = {}
    for index, (tenant, flow) in enumerate(_each(_FLOWS)):
        created_at = BASE_TIME + timedelta(hours=6 * index)
        rows[flow.key] = master_flow_row(
            tenant,
            id=flow.row_id or seed_uuid(f"flow-row/{flow.key}"),
            flow_id=_flow_id(flow.key),
            user_id=f"{rng.choice(PEOPLE)}@example.com",
            flow_type=flow.flow_type,
            flow_name=flow.name,
            flow_status=flow.flow_status,
            parent_flow_id=_flow_id(flow.parent) if flow.parent else None,
            flow_configuration={"auto_advance": index % 3 != 0, "notify_owner": True},
            flow_metadata={"created_via": "api" if index % 2 else "ui"},
            created_at=created_at,
            # The seconds (index < 60) keep updated_at distinct; the minutes make its order differ from created_at's.
            updated_at=created_at + timedelta(minutes=rng.randint(5, 4000), seconds=index),
        )
    return rows


def _record_rows(tenant: Tenant, spec: _Import, import_id: UUID, started_at: datetime) -> list[Row]:
    rng = random.Random(f"{_SEED}/records/{spec.key}")
    processed_until = round(spec.records * _PROCESSED_SHARE.get(spec.status, 0.0))
    rows = []
    for row_number in range(1, spec.records + 1):
        raw = cmdb_record(rng, row_number, datacenter=spec.datacenter)
        errors = corrupt_record(rng, raw) if rng.random() < spec.invalid_share else None
        processed = row_number <= processed_until
        rows.append(
            raw_record_row(
                tenant,
                data_import_id=import_id,
                row_number=row_number,
                raw_data=raw,
                id=seed_uuid(f"record/{spec.key}/{row_number}"),
                cleansed_data=cleanse_record(raw) if processed and not errors else None,
                validation_errors=errors or None,
                processing_notes=("Rejected by data validation." if errors else "Normalised by data cleansing.") if processed else None,
                is_processed=processed,
                is_valid=not errors,
                created_at=started_at,
                processed_at=started_at + timedelta(milliseconds=40 * row_number) if processed else None,
            )
        )
    return rows


def _import_rows(flow_ids: dict[str, UUID]) -> tuple[dict[str, Row], list[Row]]:
    imports: dict[str, Row] = {}
    records: list[Row] = []
    for tenant, spec in _each(_IMPORTS):
        created_at = BASE_TIME + timedelta(hours=spec.hours)
        started_at = created_at + timedelta(minutes=1)
        import_id = spec.id or _import_id(spec.key)
        rows = _record_rows(tenant, spec, import_id, started_at)
        processed = sum(row["is_processed"] for row in rows)
        completed_at = started_at + timedelta(seconds=5 + spec.records // 25) if spec.status in _FINISHED_IMPORT else None
        imports[spec.key] = data_import_row(
            tenant,
            id=import_id,
            master_flow_id=flow_ids[spec.master_flow] if spec.master_flow else None,
            import_name=spec.name,
            import_type=spec.import_type,
            import_category=_CATEGORIES.get(spec.import_type, spec.import_type),
            filename=spec.filename,
            file_size=512 + 190 * spec.records,
            mime_type=_MIME_TYPES[spec.filename.rsplit(".", 1)[-1]],
            source_system=spec.source_system,
            status=spec.status,
            progress_percentage=round(100 * processed / spec.records, 1) if spec.records else 0.0,
            total_records=spec.records,
            processed_records=processed,
            failed_records=sum(row["is_processed"] and not row["is_valid"] for row in rows),
            error_message=spec.error_message,
            started_at=started_at if spec.status != "pending" else None,
            completed_at=completed_at,
            created_at=created_at,
            updated_at=completed_at or created_at + timedelta(minutes=5),
        )
        records.extend(rows)
    return imports, records


def _discovery_rows(masters: dict[str, Row], imports: dict[str, Row]) -> list[Row]:
    rows = []
    for tenant, spec in _each(_DISCOVERIES):
        master = masters[spec.flow]
        progress = discovery_progress(spec.progress)
        finished = spec.status in ("completed", "archived")
        data_import_id = imports[spec.data_import]["id"] if spec.data_import else None
        state = showcase_state(data_import_id=data_import_id, at=master["updated_at"]) if spec.flow == _SHOWCASE and data_import_id else {}
        rows.append(
            discovery_flow_row(
                tenant,
                master_flow_id=master["flow_id"],
                data_import_id=data_import_id,
                id=seed_uuid(f"discovery/{spec.flow}"),
                flow_id=spec.flow_id or seed_uuid(f"discovery-flow/{spec.flow}"),
                flow_name=spec.name or master["flow_name"],
                status=spec.status,
                **progress,
                assessment_ready=spec.status == "completed",
                error_message=spec.error,
                error_phase=progress["current_phase"] if spec.error else None,
                created_at=master["created_at"] + timedelta(minutes=2),
                updated_at=master["updated_at"],
                completed_at=master["updated_at"] if finished else None,
                **state,
            )
        )
    return rows


def demo_rows() -> dict[Table, list[Row]]:
    """The demo's rows per table, in `TABLES_IN_INSERT_ORDER`; identical on every call.

    Only the showcase flow has rows on the discovery pages' tables.
    """
    masters = _master_rows()
    imports, records = _import_rows({key: row["flow_id"] for key, row in masters.items()})
    discoveries = _discovery_rows(masters, imports)
    showcase = next(row for row in discoveries if row["master_flow_id"] == DEMO_FLOW_ID)
    showcase_import = next(row for row in imports.values() if row["id"] == showcase["data_import_id"])
    pages = showcase_page_rows(
        DEMO_TENANT,
        data_import_id=showcase_import["id"],
        discovery_row=showcase,
        records=[record for record in records if record["data_import_id"] == showcase_import["id"]],
        at=showcase_import["completed_at"],
        seed_uuid=seed_uuid,
    )
    rows = {
        master_flows: list(masters.values()),
        data_imports: list(imports.values()),
        discovery_flows: discoveries,
        raw_import_records: records,
        **pages,
    }
    return {table: rows[table] for table in TABLES_IN_INSERT_ORDER}


async def seed_demo(settings: DatabaseSettings) -> str:
    """Replace the rows of `DEMO_TENANTS` with the demo dataset; return a summary.

    Idempotent: one transaction deletes the tenants' rows and inserts the same
    rows again, so every run leaves identical data; the tables are ANALYZEd after.
    """
    rows = demo_rows()
    engine = create_admin_engine(settings)
    try:
        async with engine.begin() as connection:
            await delete_tenants(connection, DEMO_TENANTS)
            for table, table_rows in rows.items():
                await insert_rows(connection, table, table_rows)
        async with engine.begin() as connection:
            await analyze(connection, settings.schema_name, rows)
    finally:
        await engine.dispose()
    return (
        f"Seeded the demo into schema {settings.schema_name!r}: {len(DEMO_TENANTS)} tenants with "
        f"{len(rows[master_flows]):,} master flows, {len(rows[discovery_flows]):,} discovery flows, "
        f"{len(rows[data_imports]):,} data imports and {len(rows[raw_import_records]):,} raw records. "
        f"The demo tenant is client {DEMO_TENANT.client_account_id}, engagement {DEMO_TENANT.engagement_id}; "
        f"its showcase master flow is {DEMO_FLOW_ID}."
    )
