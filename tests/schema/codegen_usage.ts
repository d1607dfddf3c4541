// How a frontend uses the TypeScript types generated from schema.graphql and tests/operations/*.graphql.
// tests/schema/test_codegen.py generates them as ./graphql.ts (typescript + typescript-operations plugins)
// and compiles this file with `tsc --strict --noEmit`: a schema or operation change that breaks a use
// below fails that test.  Scalars: UUID and DateTime are strings, JSON is `unknown` until narrowed.

import type {
  AttributeMappingQuery,
  AttributeMappingQueryVariables,
  FieldMappingStatus,
  FlowDetailQuery,
  FlowDetailQueryVariables,
  FlowListQuery,
  FlowListQueryVariables,
  MasterFlowStatus,
  RecordPageQuery,
  RecordPageQueryVariables,
} from "./graphql";

type FlowDetail = NonNullable<FlowDetailQuery["masterFlow"]>;

export const detailVariables: FlowDetailQueryVariables = {
  flowId: "e630b013-7fbd-533f-b39d-81bfdfac01d8",
  records: 10,
};

export const firstPageOfRunningDiscoveries: FlowListQueryVariables = {
  first: 20,
  filter: { flowTypes: ["DISCOVERY"], statuses: ["RUNNING", "PROCESSING"] },
  orderBy: { field: "UPDATED_AT", direction: "DESC" },
};

export function isFinished(status: MasterFlowStatus): boolean {
  return status === "COMPLETED" || status === "FAILED" || status === "CANCELLED";
}

export function createdAt(flow: FlowDetail): Date | null {
  return flow.createdAt === null ? null : new Date(flow.createdAt);
}

export function progressLine(flow: FlowDetail): string {
  const discovery = flow.discovery;
  const done = discovery?.phases.filter((phase) => phase.completed).map((phase) => phase.phase) ?? [];
  const percent = discovery?.progressPercentage ?? 0;
  return `${flow.name ?? flow.flowId} (${flow.flowType}): ${percent.toFixed(0)}%, done: ${done.join(", ")}`;
}

/** The column names of the first imported row; `rawData` is JSON, so it is narrowed first. */
export function columnNames(data: FlowDetailQuery): string[] {
  const row = data.masterFlow?.discovery?.dataImport?.rawRecords.edges[0]?.node.rawData;
  return typeof row === "object" && row !== null && !Array.isArray(row) ? Object.keys(row) : [];
}

export function invalidRowNumbers(page: RecordPageQuery): number[] {
  const edges = page.masterFlow?.discovery?.dataImport?.rawRecords.edges ?? [];
  return edges.filter(({ node }) => !node.isValid).map(({ node }) => node.rowNumber);
}

export function nextRecordPage(page: RecordPageQuery, flowId: string): RecordPageQueryVariables | null {
  const pageInfo = page.masterFlow?.discovery?.dataImport?.rawRecords.pageInfo;
  return pageInfo?.hasNextPage && pageInfo.endCursor
    ? { flowId, after: pageInfo.endCursor, filter: { isValid: false } }
    : null;
}

export function nextFlowPage(list: FlowListQuery, previous: FlowListQueryVariables): FlowListQueryVariables | null {
  const { hasNextPage, endCursor } = list.masterFlows.pageInfo;
  return hasNextPage && endCursor ? { ...previous, after: endCursor } : null;
}

type MappedImport = NonNullable<
  NonNullable<AttributeMappingQuery["masterFlow"]>["discovery"]
>["dataImport"];

export const mappingsToReview: AttributeMappingQueryVariables = {
  flowId: "e630b013-7fbd-533f-b39d-81bfdfac01d8",
  first: 50,
  statuses: ["SUGGESTED", "PENDING"],
};

export function needsReview(status: FieldMappingStatus): boolean {
  return status === "SUGGESTED" || status === "PENDING" || status === "UNMAPPED";
}

/** "12 of 13 approved": the summary's counts are plain numbers. */
export function approvalLine(data: AttributeMappingQuery): string {
  const summary = data.masterFlow?.discovery?.dataImport?.fieldMappingSummary;
  return summary ? `${summary.approved} of ${summary.total} approved` : "no import yet";
}

/** Source column to target attribute, for the mappings on this page; `confidenceScore` may be null. */
export function mappingTable(dataImport: NonNullable<MappedImport>): [string, string, number][] {
  return dataImport.fieldMappings.nodes.map((node) => [node.sourceField, node.targetField, node.confidenceScore ?? 0]);
}
