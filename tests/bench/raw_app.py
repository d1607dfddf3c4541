"""The physical limit: the benchmark's reads in hand-written SQL on asyncpg, encoded with orjson.

A bare ASGI app (no framework) served by the same uvicorn as the gateway, so
the ratio gateway/limit measures the gateway's own cost.  It makes the same
statements the gateway makes (one per nesting level, tenant-filtered) and
returns the same JSON shape, with unsigned cursors.  As the gateway does, a
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

FLOWS = """SELECT flow_id, flow_type, flow_name, flow_status, created_at, updated_at FROM crewai_flow_state_extensions
WHERE client_account_id = $1 AND engagement_id = $2"""
DISCOVERIES = """SELECT DISTINCT ON (master_flow_id) master_flow_id, data_import_id, status, progress_percentage, current_phase,
data_import_completed, data_validation_completed, field_mapping_completed, data_cleansing_completed, asset_inventory_completed
FROM discovery_flows WHERE client_account_id = $1 AND engagement_id = $2 AND master_flow_id = ANY($3::uuid[])
ORDER BY master_flow_id, created_at DESC"""
IMPORTS = """SELECT id, import_name, import_type, status, total_records FROM data_imports
WHERE client_account_id = $1 AND engagement_id = $2 AND id = ANY($3::uuid[])"""
RECORDS = """SELECT k.id AS import_id, r.row_number, r.raw_data, r.is_valid FROM unnest($3::uuid[]) AS k(id)
JOIN data_imports i ON i.id = k.id AND i.client_account_id = $1 AND i.engagement_id = $2
CROSS JOIN LATERAL (SELECT id, row_number, raw_data, is_valid FROM raw_import_records
  WHERE data_import_id = k.id ORDER BY row_number, id LIMIT $4) r"""


async def _tree(connection: asyncpg.Connection, flows: list[asyncpg.Record], records: int | None) -> list[dict[str, Any]]:
    """The flows with their discovery, import and first `records` records (none when None)."""
    discoveries = {d["master_flow_id"]: d for d in await connection.fetch(DISCOVERIES, *TENANT, [f["flow_id"] for f in flows])}
    imports = {i["id"]: i for i in await connection.fetch(IMPORTS, *TENANT, [d["data_import_id"] for d in discoveries.values()])}
    by_import: dict[UUID, list[dict[str, Any]]] = {}
    if records is not None:
        for r in await connection.fetch(RECORDS, *TENANT, list(imports), records + 1):
            by_import.setdefault(r["import_id"], []).append(
                {"rowNumber": r["row_number"], "rawData": orjson.Fragment(r["raw_data"]), "isValid": r["is_valid"]}
            )
    nodes = []
    for f in flows:
        d = discoveries.get(f["flow_id"])
        i = imports.get(d["data_import_id"]) if d else None
        data_import = i and {
            "name": i["import_name"],
            "importType": i["import_type"].upper(),
            "status": i["status"].upper(),
            "totalRecords": i["total_records"],
        }
        if data_import and records is not None:
            rows = by_import.get(i["id"], [])
            data_import["rawRecords"] = {
                "edges": [{"cursor": str(r["rowNumber"]), "node": r} for r in rows[:records]],
                "pageInfo": {"hasNextPage": len(rows) > records, "endCursor": str(rows[min(len(rows), records) - 1]["rowNumber"]) if rows else None},
            }
        nodes.append(
            {
                "flowId": str(f["flow_id"]),
                "name": f["flow_name"],
                "flowType": f["flow_type"].upper(),
                "status": f["flow_status"].upper(),
                "createdAt": f["created_at"].isoformat(),
                "updatedAt": f["updated_at"].isoformat(),
                "discovery": d
                and {
                    "status": d["status"].upper(),
                    "progressPercentage": d["progress_percentage"],
                    "currentPhase": d["current_phase"],
                    "phases": [{"phase": p.upper(), "completed": d[f"{p}_completed"]} for p in PHASES],
                    "dataImport": data_import,
                },
            }
        )
    return nodes


async def detail(connection: asyncpg.Connection, flow_id: UUID, records: int) -> dict[str, Any]:
    flows = await connection.fetch(FLOWS + " AND flow_id = $3", *TENANT, flow_id)
    nodes = await _tree(connection, flows, records)
    return {"data": {"masterFlow": nodes[0] if nodes else None}}


async def page(connection: asyncpg.Connection, flows: int, records: int | None) -> dict[str, Any]:
    rows = await connection.fetch(FLOWS + " ORDER BY created_at DESC, flow_id DESC LIMIT $3", *TENANT, flows + 1)
    nodes = await _tree(connection, rows[:flows], records)
    edges = [{"cursor": node["createdAt"] + node["flowId"], "node": node} for node in nodes]
    return {
        "data": {"masterFlows": {"edges": edges, "pageInfo": {"hasNextPage": len(rows) > flows, "endCursor": edges[-1]["cursor"] if edges else None}}}
    }


async def _keep_session(connection: asyncpg.Connection) -> None:
    """No reset query on release: the app never changes session state (the gateway's pool does the same)."""


class RawApp:
    """ASGI: GET /detail?flow_id=&records=, /page?flows=&records=, /list?flows=."""

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
        async with self.pool.acquire() as connection:
            if scope["path"] == "/detail":
                body = await detail(connection, UUID(args["flow_id"]), int(args["records"]))
            elif scope["path"] == "/page":
                body = await page(connection, int(args["flows"]), int(args["records"]))
            else:
                body = await page(connection, int(args["flows"]), None)
        encoded = orjson.dumps(body)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(encoded)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": encoded})


app = RawApp()
