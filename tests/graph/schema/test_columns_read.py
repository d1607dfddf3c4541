"""A discovery flow or data import is read with the columns its selected fields need, and no others.

A master flow reads the values of its configuration only when they are asked for.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import pytest

from db.reader import CompiledQuery, Reader
from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row
from db.tables import data_imports, discovery_flows, master_flows
from tests.conftest import GraphQLClient, client_for


class _RecordingReader(Reader):
    """A reader that keeps the SQL of every statement it runs."""

    def __init__(self, reader: Reader) -> None:
        super().__init__(reader.pool, schema=reader.schema, acquire_timeout=reader.acquire_timeout, transaction=reader.transaction, observers=())
        self.statements: list[str] = []

    async def fetch(self, query: CompiledQuery, **parameters: Any) -> Sequence[asyncpg.Record]:
        self.statements.append(query.sql(self.schema))
        return await super().fetch(query, **parameters)


@pytest.fixture
async def recording(settings, reader) -> AsyncIterator[tuple[GraphQLClient, _RecordingReader]]:
    recorder = _RecordingReader(reader)
    async with client_for(settings, recorder) as http:
        yield GraphQLClient(http, settings), recorder


async def _flow(db, tenant) -> str:
    flow, imported = master_flow_row(tenant), data_import_row(tenant, import_name="CMDB export")
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"], status="running")])
    return str(flow["flow_id"])


def _columns_read(statement: str, table: str) -> set[str]:
    """The columns of `table` a statement reads, from its SQL."""
    return set(re.findall(rf"\b{table}\.(\w+)", statement))


async def test_a_discovery_flow_selected_for_its_status_reads_no_state_names_or_timestamps(db, tenant, recording):
    client, recorder = recording
    flow_id = await _flow(db, tenant)

    data = await client.data("query ($id: UUID!) { masterFlow(flowId: $id) { discovery { status } } }", tenant, {"id": flow_id})

    (statement,) = [sql for sql in recorder.statements if ".discovery_flows" in sql]
    assert data == {"masterFlow": {"discovery": {"status": "RUNNING"}}}
    # The tenant columns filter, the links and the ordering keys pick the row; only `status` is read for its fields.
    picking = {"client_account_id", "engagement_id", "flow_id", "master_flow_id", "id", "created_at"}
    assert _columns_read(statement, "discovery_flows") == picking | {"status"}


async def test_phases_read_the_phase_flags_and_data_import_the_link(db, tenant, recording):
    client, recorder = recording
    flow_id = await _flow(db, tenant)

    query = "query ($id: UUID!) { masterFlow(flowId: $id) { discovery { phases { completed } dataImport { name } } } }"
    data = await client.data(query, tenant, {"id": flow_id})

    discovery_sql = next(sql for sql in recorder.statements if ".discovery_flows" in sql)
    import_sql = next(sql for sql in recorder.statements if ".data_imports" in sql)
    assert data["masterFlow"]["discovery"]["dataImport"] == {"name": "CMDB export"}
    assert {"data_import_completed", "asset_inventory_completed", "data_import_id"} <= _columns_read(discovery_sql, "discovery_flows")
    assert "status" not in _columns_read(discovery_sql, "discovery_flows")
    assert _columns_read(import_sql, "data_imports") == {"client_account_id", "engagement_id", "id", "import_name"}


async def test_the_same_flow_asked_twice_with_other_fields_gets_both(db, tenant, recording):
    client, _ = recording
    flow_id = await _flow(db, tenant)

    query = "query ($id: UUID!) { masterFlow(flowId: $id) { a: discovery { status } b: discovery { currentPhase name } } }"
    data = await client.data(query, tenant, {"id": flow_id})

    assert data["masterFlow"] == {"a": {"status": "RUNNING"}, "b": {"currentPhase": "data_import", "name": "Discovery"}}


CONFIGURATION = {"import_category": "cmdb_export", "filename": "servers.csv"}


async def _parent_and_child(db, tenant) -> tuple[dict, dict]:
    parent = master_flow_row(tenant, flow_name="parent", flow_configuration=CONFIGURATION)
    child = master_flow_row(tenant, flow_name="child", parent_flow_id=parent["flow_id"], flow_configuration={"filename": "child.csv"})
    await db.insert(master_flows, [parent, child])
    return parent, child


def _reads_configuration(statement: str) -> bool:
    return "flow_configuration" in statement


async def test_a_master_flow_read_without_import_category_or_filename_leaves_its_configuration_unread(db, tenant, recording):
    client, recorder = recording
    parent, _ = await _parent_and_child(db, tenant)

    data = await client.data("query ($id: UUID!) { masterFlow(flowId: $id) { name childFlows { name } } }", tenant, {"id": str(parent["flow_id"])})

    assert data == {"masterFlow": {"name": "parent", "childFlows": [{"name": "child"}]}}
    assert [_reads_configuration(sql) for sql in recorder.statements] == [False, False]


async def test_import_category_and_filename_are_read_for_the_flows_that_ask_for_them(db, tenant, recording):
    client, recorder = recording
    parent, _ = await _parent_and_child(db, tenant)

    query = "query ($id: UUID!) { masterFlow(flowId: $id) { importCategory childFlows { name filename } } }"
    data = await client.data(query, tenant, {"id": str(parent["flow_id"])})

    assert data == {"masterFlow": {"importCategory": "cmdb_export", "childFlows": [{"name": "child", "filename": "child.csv"}]}}
    assert [_reads_configuration(sql) for sql in recorder.statements] == [True, True]


async def test_a_parent_in_a_page_read_without_configuration_is_read_again_for_its_import_category(db, tenant, recording):
    # The page remembers its flows for `parentFlow`; a remembered row without the configuration must not answer a field that needs it.
    client, recorder = recording
    await _parent_and_child(db, tenant)

    data = await client.data("{ masterFlows { nodes { name parentFlow { importCategory filename } } } }", tenant)

    assert sorted(data["masterFlows"]["nodes"], key=lambda flow: flow["name"]) == [
        {"name": "child", "parentFlow": {"importCategory": "cmdb_export", "filename": "servers.csv"}},
        {"name": "parent", "parentFlow": None},
    ]
    assert [_reads_configuration(sql) for sql in recorder.statements] == [False, True]


async def test_a_parent_in_a_page_read_with_its_configuration_needs_no_statement_of_its_own(db, tenant, recording):
    client, recorder = recording
    await _parent_and_child(db, tenant)

    data = await client.data("{ masterFlows { nodes { name filename parentFlow { name } } } }", tenant)

    assert {flow["name"]: flow["parentFlow"] for flow in data["masterFlows"]["nodes"]} == {"child": {"name": "parent"}, "parent": None}
    assert [_reads_configuration(sql) for sql in recorder.statements] == [True]
