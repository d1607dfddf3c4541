"""The headline GraphQL queries of the benchmark, with their page sizes as variables."""

from __future__ import annotations

FLOW_DETAIL = """
query FlowDetail($flowId: UUID!, $records: Int!) {
  masterFlow(flowId: $flowId) {
    flowId name flowType status createdAt
    discovery {
      status progressPercentage phases { phase completed }
      dataImport {
        name importType status totalRecords
        rawRecords(first: $records) {
          edges { cursor node { rowNumber rawData isValid } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
}
"""

FLOW_PAGE_WITH_RECORDS = """
query FlowPage($flows: Int!, $records: Int!) {
  masterFlows(first: $flows) {
    edges {
      cursor
      node {
        flowId name flowType status createdAt updatedAt
        discovery {
          status progressPercentage currentPhase
          dataImport { name importType status totalRecords rawRecords(first: $records) { nodes { rowNumber rawData isValid } } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

FLOW_PAGE = """
query FlowList($flows: Int!) {
  masterFlows(first: $flows) {
    edges {
      cursor
      node {
        flowId name flowType status createdAt updatedAt
        discovery { status progressPercentage currentPhase dataImport { name importType status totalRecords } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
