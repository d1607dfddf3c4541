"""Which executor serves: the fast one, unless FAST_EXECUTOR=off or its internals no longer fit (one warning)."""

from __future__ import annotations

import logging

import pytest

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.settings import changed
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from graph.execution import compat
from graph.execution.compat import StockExecutionContext
from graph.execution.fast import FastExecutionContext, selfcheck
from graph.execution.pipeline import Pipeline
from graph.guards.persisted import AutomaticPersistedQueries
from graph.schema.root import schema
from graph.settings import Settings
from tests.conftest import client_for

QUERY = "{ masterFlows(first: 5) { totalCount nodes { name discovery { dataImport { rawRecords(first: 2) { nodes { rowNumber } } } } } } }"


def pipeline_with(settings: Settings) -> Pipeline:
    return Pipeline(schema._schema, settings, AutomaticPersistedQueries(8), default_page=20)


@pytest.fixture
def fresh_selfcheck():
    selfcheck.mismatch.cache_clear()
    yield
    selfcheck.mismatch.cache_clear()


def test_the_fast_executor_serves_by_default():
    assert pipeline_with(Settings()).execution_context_class is FastExecutionContext


def test_fast_executor_off_serves_with_the_stock_executor():
    assert pipeline_with(Settings(fast_executor=False)).execution_context_class is StockExecutionContext


async def test_both_executors_answer_a_request_alike(settings, reader, db, tenant, graphql):
    flow, imported = master_flow_row(tenant), data_import_row(tenant)
    await db.insert(master_flows, [flow, master_flow_row(tenant)])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    await db.insert(raw_import_records, [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={}) for n in (2, 1, 1)])

    fast = await graphql.query(QUERY, tenant)
    async with client_for(changed(settings, fast_executor=False), reader) as client:
        stock = (await client.post("/graphql", json={"query": QUERY}, headers=graphql.headers(tenant))).json()

    assert stock == fast
    assert fast["data"]["masterFlows"]["totalCount"] == 2


def test_another_installed_version_falls_back_to_the_stock_executor_with_one_warning(monkeypatch, caplog, fresh_selfcheck):
    monkeypatch.setitem(compat.PINNED, "graphql-core", "3.2.0")
    caplog.set_level(logging.WARNING, logger="flowgate.execution")

    executors = [pipeline_with(Settings()) for _ in range(3)]

    assert {e.execution_context_class for e in executors} == {StockExecutionContext}
    assert [r.getMessage() for r in caplog.records] == [
        "The fast executor is off: graphql-core 3.3.2 is installed, not 3.2.0. Serving with graphql-core's stock executor."
    ]


def test_a_changed_signature_falls_back_to_the_stock_executor(monkeypatch, fresh_selfcheck):
    monkeypatch.setitem(compat._SIGNATURES, compat.GraphQLCoreExecutor.complete_value, ("self", "return_type", "info"))

    assert selfcheck.mismatch().startswith("Executor.complete_value takes")
    assert pipeline_with(Settings()).execution_context_class is StockExecutionContext


def test_a_fast_result_that_differs_falls_back_to_the_stock_executor(monkeypatch, fresh_selfcheck):
    monkeypatch.setattr(FastExecutionContext, "build_response", lambda self, data: StockExecutionContext.build_response(self, None))

    assert selfcheck.mismatch() == "a test query's fast result differs from the stock executor's"


def test_the_versions_compat_is_written_for_are_those_pyproject_pins():
    import tomllib

    from tests.conftest import ROOT

    pins = {
        name: pinned
        for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
        if "==" in requirement
        for name, pinned in [requirement.split("==")]
    }

    assert pins == compat.PINNED
