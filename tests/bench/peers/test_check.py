"""The peers' data check on answers shaped as the servers give them (no database, no network)."""

from __future__ import annotations

import copy

import pytest

from tests.bench.peers.check import PeerDataMismatch, check_same_data
from tests.bench.peers.normalise import flowgate_page, postgraphile_page

RAW = {"hostname": "ams-cus-cache0001", "cpu_cores": 16}

FLOWGATE_DETAIL = {
    "data": {
        "masterFlow": {
            "flowId": "9890ea13-0656-54ca-bab3-269efebb6d44",
            "name": "Bench discovery 11",
            "flowType": "DISCOVERY",
            "status": "COMPLETED",
            "createdAt": "2026-01-05T08:10:00+00:00",
            "discovery": {
                "status": "COMPLETED",
                "progressPercentage": 100.0,
                "phases": [
                    {"phase": "DATA_IMPORT", "completed": True},
                    {"phase": "DATA_VALIDATION", "completed": True},
                    {"phase": "FIELD_MAPPING", "completed": True},
                    {"phase": "DATA_CLEANSING", "completed": False},
                    {"phase": "ASSET_INVENTORY", "completed": False},
                ],
                "dataImport": {
                    "name": "Bench CMDB export 11",
                    "importType": "CMDB",
                    "status": "COMPLETED",
                    "totalRecords": 30,
                    "rawRecords": {
                        "edges": [{"cursor": "1", "node": {"rowNumber": 1, "rawData": RAW, "isValid": True}}],
                        "pageInfo": {"hasNextPage": True, "endCursor": "1"},
                    },
                },
            },
        }
    }
}

POSTGRAPHILE_DETAIL = {
    "data": {
        "allCrewaiFlowStateExtensions": {
            "nodes": [
                {
                    "flowId": "9890ea13-0656-54ca-bab3-269efebb6d44",
                    "flowName": "Bench discovery 11",
                    "flowType": "discovery",
                    "flowStatus": "completed",
                    "createdAt": "2026-01-05T08:10:00.000000+00:00",
                    "discoveryFlowsByMasterFlowId": {
                        "nodes": [
                            {
                                "status": "completed",
                                "progressPercentage": 100,
                                "dataImportCompleted": True,
                                "dataValidationCompleted": True,
                                "fieldMappingCompleted": True,
                                "dataCleansingCompleted": False,
                                "assetInventoryCompleted": False,
                                "dataImportByDataImportId": {
                                    "importName": "Bench CMDB export 11",
                                    "importType": "cmdb",
                                    "status": "completed",
                                    "totalRecords": 30,
                                    "rawImportRecordsByDataImportId": {
                                        "edges": [{"cursor": "WyJyb3dfbnVtYmVy", "node": {"rowNumber": 1, "rawData": RAW, "isValid": True}}],
                                        "pageInfo": {"hasNextPage": True, "endCursor": "WyJyb3dfbnVtYmVy"},
                                    },
                                },
                            }
                        ]
                    },
                }
            ]
        }
    }
}


def test_a_flow_detail_from_flowgate_and_from_postgraphile_normalise_alike():
    assert (
        flowgate_page(FLOWGATE_DETAIL)
        == postgraphile_page(POSTGRAPHILE_DETAIL)
        == {
            "flows": [
                {
                    "flowId": "9890ea13-0656-54ca-bab3-269efebb6d44",
                    "name": "Bench discovery 11",
                    "type": "discovery",
                    "status": "completed",
                    "createdAt": "2026-01-05T08:10:00+00:00",
                    "discovery": {
                        "status": "completed",
                        "progressPercentage": 100.0,
                        "phases": {
                            "data_import": True,
                            "data_validation": True,
                            "field_mapping": True,
                            "data_cleansing": False,
                            "asset_inventory": False,
                        },
                        "dataImport": {
                            "name": "Bench CMDB export 11",
                            "type": "cmdb",
                            "status": "completed",
                            "totalRecords": 30,
                            "records": [{"rowNumber": 1, "rawData": RAW, "isValid": True}],
                            "hasNextPage": True,
                        },
                    },
                }
            ]
        }
    )


def test_the_check_passes_when_the_peers_return_the_gateways_data():
    check_same_data("(a)", FLOWGATE_DETAIL, {"PostGraphile v4": POSTGRAPHILE_DETAIL, "PostGraphile v5": POSTGRAPHILE_DETAIL})


def test_json_returned_as_a_string_fails_the_check_naming_where():
    stringly = copy.deepcopy(POSTGRAPHILE_DETAIL)
    discovery = stringly["data"]["allCrewaiFlowStateExtensions"]["nodes"][0]["discoveryFlowsByMasterFlowId"]["nodes"][0]
    discovery["dataImportByDataImportId"]["rawImportRecordsByDataImportId"]["edges"][0]["node"]["rawData"] = '{"hostname": "ams-cus-cache0001"}'

    with pytest.raises(
        PeerDataMismatch,
        match=r"PostGraphile v4 does not return the gateway's data for \(a\): \$\.flows\[0\]\.discovery\.dataImport\.records\[0\]\.rawData is",
    ):
        check_same_data("(a)", FLOWGATE_DETAIL, {"PostGraphile v4": stringly})


def test_a_gateway_answer_without_flows_fails_the_check():
    with pytest.raises(PeerDataMismatch, match="The gateway returned no flows for"):
        check_same_data("(a)", {"data": {"masterFlow": None}}, {"PostGraphile v4": {"data": {"allCrewaiFlowStateExtensions": {"nodes": []}}}})
