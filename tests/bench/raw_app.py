"""The physical limit: the benchmark's reads in hand-written SQL on asyncpg, encoded with orjson.

A bare ASGI app (no framework) served by the same uvicorn as the gateway, so
the ratio gateway/limit measures the gateway's own cost.  It makes the same
statements the gateway makes (one per nesting level, tenant-filtered) and
returns the same JSON (the bench checks it), with unsigned cursors.  As the gateway does, a
request holds one pooled connection for all its statements, and the pool
skips asyncpg's reset query when a connection comes back (a round trip the
gateway does not make) and arms no idle timer.

    uvicorn tests.bench.raw_app:app   # DATABASE_URL / DB_SCHEMA as for the gateway
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

import asyncpg
import orjson

from db.engine import database_url, plain_url
from db.seed.bench import BENCH_TENANT
from db.settings import DatabaseSettings

TENANT = (BENCH_TENANT.client_account_id, BENCH_TENANT.engagement_id)
PHASES = ("data_import", "data_validation", "field_mapping", "data_cleansing", "asset_inventory")

# As the gateway's statements: the platform's nullable tenant columns (data imports, records) match when NULL, each
# table is checked for the tenant, and a master flow's discovery flow follows the platform's rule (the one whose
# `flow_id` is the master's, else the newest naming it in `master_flow_id`).
FLOWS = """SELECT flow_id, flow_type, flow_name, flow_status, created_at, updated_at FROM crewai_flow_state_extensions
WHERE client_account_id = $1 AND engagement_id = $2"""
_DISCOVERY_COLUMNS = """data_import_id, status, progress_percentage, current_phase, created_at, id,
data_import_completed, data_validation_completed, field_mapping_completed, data_cleansing_completed, asset_inventory_completed"""
DISCOVERIES = f"""SELECT DISTINCT ON (master_flow_id) * FROM (
  SELECT flow_id AS master_flow_id, true AS preferred, {_DISCOVERY_COLUMNS} FROM discovery_flows
  WHERE client_account_id = $1 AND engagement_id = $2 AND flow_id = ANY($3::uuid[])
  UNION ALL
  SELECT master_flow_id, false, {_DISCOVERY_COLUMNS} FROM discovery_flows
  WHERE client_account_id = $1 AND engagement_id = $2 AND master_flow_id = ANY($3::uuid[])
) AS candidate ORDER BY master_flow_id, preferred DESC, created_at DESC, id"""
_TENANT_OR_NULL = "({0}.client_account_id IS NULL OR {0}.client_account_id = $1) AND ({0}.engagement_id IS NULL OR {0}.engagement_id = $2)"
IMPORTS = f"""SELECT id, import_name, import_type, status, total_records FROM data_imports AS i
WHERE {_TENANT_OR_NULL.format("i")} AND id = ANY($3::uuid[])"""
RECORDS = f"""SELECT k.id AS import_id, r.id, r.row_number, r.raw_data, r.is_valid FROM unnest($3::uuid[]) AS k(id)
JOIN data_imports i ON i.id = k.id AND {_TENANT_OR_NULL.format("i")}
CROSS JOIN LATERAL (SELECT id, row_number, raw_data, is_valid FROM raw_import_records AS r
  WHERE data_import_id = k.id AND {_TENANT_OR_NULL.format("r")} ORDER BY row_number, id LIMIT $4) r"""


def _record(r: asyncpg.Record) -> dict[str, Any]:
    return {"rowNumber": r["row_number"], "rawData": orjson.Fragment(r["raw_data"]), "isValid": r["is_valid"]}


async def _tree(connection: asyncpg.Connection, flows: list[asyncpg.Record], levels: int, records: int, *, listed: bool) -> list[dict[str, Any]]:
    """The flows with as many of their levels below (1 to 4): discovery, import, and the first `records` records.

    With the fields the bench's GraphQL asks for: (a)'s, or when `listed` those of (b) and (c).
    """
    discoveries, imports, by_import = {}, {}, {}
    if levels >= 2:
        discoveries = {d["master_flow_id"]: d for d in await connection.fetch(DISCOVERIES, *TENANT, [f["flow_id"] for f in flows])}
    if levels >= 3:
        imports = {i["id"]: i for i in await connection.fetch(IMPORTS, *TENANT, [d["data_import_id"] for d in discoveries.values()])}
    if levels >= 4:
        for r in await connection.fetch(RECORDS, *TENANT, list(imports), records + 1):
            by_import.setdefault(r["import_id"], []).append(r)
    nodes = []
    for f in flows:
        node = {
            "flowId": str(f["flow_id"]),
            "name": f["flow_name"],
            "flowType": f["flow_type"].upper(),
            "status": f["flow_status"].upper(),
            "createdAt": f["created_at"].isoformat(),
        }
        if listed:
            node["updatedAt"] = f["updated_at"].isoformat()
        nodes.append(node)
        if levels < 2:
            continue
        d = discoveries.get(f["flow_id"])
        node["discovery"] = d and {
            "status": d["status"].upper(),
            "progressPercentage": d["progress_percentage"],
            **(
                {"currentPhase": d["current_phase"]}
                if listed
                else {"phases": [{"phase": p.upper(), "completed": d[f"{p}_completed"]} for p in PHASES]}
            ),
        }
        if levels < 3 or not d:
            continue
        i = imports.get(d["data_import_id"])
        data_import = node["discovery"]["dataImport"] = i and {
            "name": i["import_name"],
            "importType": i["import_type"].upper(),
            "status": i["status"].upper(),
            "totalRecords": i["total_records"],
        }
        if levels < 4 or not data_import:
            continue
        rows = by_import.get(i["id"], [])
        if listed:
            data_import["rawRecords"] = {"nodes": [_record(r) for r in rows[:records]]}
            continue
        edges = [{"cursor": f"{r['row_number']}.{r['id']}", "node": _record(r)} for r in rows[:records]]
        data_import["rawRecords"] = {
            "edges": edges,
            "pageInfo": {"hasNextPage": len(rows) > records, "endCursor": edges[-1]["cursor"] if edges else None},
        }
    return nodes


async def detail(connection: asyncpg.Connection, flow_id: UUID, records: int, levels: int) -> dict[str, Any]:
    """(a) down to `levels` levels (1 to 4)."""
    flows = await connection.fetch(FLOWS + " AND flow_id = $3", *TENANT, flow_id)
    nodes = await _tree(connection, flows, levels, records, listed=False)
    return {"data": {"masterFlow": nodes[0] if nodes else None}}


async def page(connection: asyncpg.Connection, flows: int, records: int | None) -> dict[str, Any]:
    """(b) with `records` records per flow, or (c) without records (None)."""
    rows = await connection.fetch(FLOWS + " ORDER BY created_at DESC, flow_id DESC LIMIT $3", *TENANT, flows + 1)
    nodes = await _tree(connection, rows[:flows], 3 if records is None else 4, records or 0, listed=True)
    edges = [{"cursor": node["createdAt"] + node["flowId"], "node": node} for node in nodes]
    return {
        "data": {"masterFlows": {"edges": edges, "pageInfo": {"hasNextPage": len(rows) > flows, "endCursor": edges[-1]["cursor"] if edges else None}}}
    }


async def _keep_session(connection: asyncpg.Connection) -> None:
    """No reset query on release: the app never changes session state (the gateway's pool does the same)."""


class RawApp:
    """ASGI: GET /detail?flow_id=&records=[&levels=0..4], /page?flows=&records=, /list?flows=."""

    pool: asyncpg.Pool

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                settings = DatabaseSettings.from_env()
                self.pool = await asyncpg.create_pool(
                    plain_url(database_url(settings)),
                    server_settings={"search_path": settings.schema_name},
                    reset=_keep_session,
                    max_inactive_connection_lifetime=0,  # as the gateway: no idle timer armed at every release
                )
                await send({"type": "lifespan.startup.complete"})
            await self.pool.close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        args = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        levels = int(args.get("levels", 4))
        if levels == 0:  # no statement, no connection: as the gateway answers `{ __typename }`
            body = {"data": {"__typename": "Query"}}
        else:
            async with self.pool.acquire() as connection:
                if scope["path"] == "/detail":
                    body = await detail(connection, UUID(args["flow_id"]), int(args["records"]), levels)
                elif scope["path"] == "/page":
                    body = await page(connection, int(args["flows"]), int(args["records"]))
                else:
                    body = await page(connection, int(args["flows"]), None)
        encoded = orjson.dumps(body)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(encoded)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": encoded})


app = RawApp()
