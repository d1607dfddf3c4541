"""The headline queries (a) and (b) as PostGraphile documents that read what Flowgate's read (`tests.bench.queries`).

v4 and v5 name these fields and arguments alike, so one document serves
both.  PostGraphile has no notion of Flowgate's tenant: the root connection
is filtered by the tenant columns with `condition`, and the nested reads
follow foreign keys unfiltered (Flowgate filters every statement).  A master
flow's discovery flow is its newest one, and records come in
(row_number, id) order, as in Flowgate.
"""

from __future__ import annotations

__all__ = ["FLOW_DETAIL", "FLOW_PAGE_WITH_RECORDS"]

FLOW_DETAIL = """
query FlowDetail($flowId: UUID!, $records: Int!, $client: UUID!, $engagement: UUID!) {
  allCrewaiFlowStateExtensions(condition: {flowId: $flowId, clientAccountId: $client, engagementId: $engagement}) {
    nodes {
      flowId flowName flowType flowStatus createdAt
      discoveryFlowsByMasterFlowId(first: 1, orderBy: [CREATED_AT_DESC]) {
        nodes {
          status progressPercentage
          dataImportCompleted dataValidationCompleted fieldMappingCompleted dataCleansingCompleted assetInventoryCompleted
          dataImportByDataImportId {
            importName importType status totalRecords
            rawImportRecordsByDataImportId(first: $records, orderBy: [ROW_NUMBER_ASC, PRIMARY_KEY_ASC]) {
              edges { cursor node { rowNumber rawData isValid } }
              pageInfo { hasNextPage endCursor }
            }
          }
        }
      }
    }
  }
}
"""

FLOW_PAGE_WITH_RECORDS = """
query FlowPage($flows: Int!, $records: Int!, $client: UUID!, $engagement: UUID!) {
  allCrewaiFlowStateExtensions(
    first: $flows, condition: {clientAccountId: $client, engagementId: $engagement}, orderBy: [CREATED_AT_DESC, FLOW_ID_DESC]
  ) {
    edges {
      cursor
      node {
        flowId flowName flowType flowStatus createdAt updatedAt
        discoveryFlowsByMasterFlowId(first: 1, orderBy: [CREATED_AT_DESC]) {
          nodes {
            status progressPercentage currentPhase
            dataImportByDataImportId {
              importName importType status totalRecords
              rawImportRecordsByDataImportId(first: $records, orderBy: [ROW_NUMBER_ASC, PRIMARY_KEY_ASC]) { nodes { rowNumber rawData isValid } }
            }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
