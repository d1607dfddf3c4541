"""Every GraphQL operation the README shows answers without an error, on both schemas.

On the platform's schema that means with its row-level security on, read by a
role that only `python -m db grants` gave access: what a new user tries first.
"""

from __future__ import annotations

import json
import re

from graphql import parse, validate

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from graph.schema.root import schema
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
GRAPHQL_BLOCKS = re.findall(r"```graphql\n(.*?)```", README, re.DOTALL)
CURL_QUERIES = [json.loads(body)["query"] for body in re.findall(r"-d '(\{\"query\".*?\})'", README)]
SUBSCRIPTIONS = re.findall(r'query: "(subscription .*?)"', README)


def test_the_readme_shows_a_query_a_curl_and_a_subscription():
    assert GRAPHQL_BLOCKS and CURL_QUERIES and SUBSCRIPTIONS


async def test_every_readme_query_answers_without_an_error(db, graphql, tenant):
    # A flow with what the README's query walks: a discovery flow, an import with invalid records, a child flow.
    flow = master_flow_row(tenant, flow_name="README")
    child = master_flow_row(tenant, flow_name="README child", parent_flow_id=flow["flow_id"])
    imported = data_import_row(tenant, updated_at=None)
    await db.insert(master_flows, [flow, child])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    await db.insert(
        raw_import_records,
        [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n}, is_valid=n % 2 == 0) for n in (1, 1, 2, 3)],
    )

    for query in GRAPHQL_BLOCKS + CURL_QUERIES:
        body = await graphql.query(query, tenant, {"flowId": str(flow["flow_id"])})

        assert "errors" not in body, (query, body)
        assert all(value is not None for value in body["data"].values()), (query, body)
    detail = (await graphql.data(GRAPHQL_BLOCKS[0], tenant, {"flowId": str(flow["flow_id"])}))["masterFlow"]
    assert detail["discovery"]["dataImport"]["rawRecords"]["totalCount"] == 3  # rows 1, 1 and 3
    assert [c["flowId"] for c in detail["childFlows"]] == [str(child["flow_id"])]


def test_every_readme_subscription_is_valid_against_the_schema():
    assert [validate(schema._schema, parse(subscription)) for subscription in SUBSCRIPTIONS] == [[]] * len(SUBSCRIPTIONS)
