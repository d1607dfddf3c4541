"""Flowgate's and PostGraphile's answers to the headline queries, mapped to one comparable structure.

    flowgate_page(body) == postgraphile_page(peer_body)   # when both read the same rows

A page is `{"flows": [...], "hasNextPage": ...}` (no `hasNextPage` when the
query asks for no `pageInfo`).  Each flow keeps the fields its query read,
under Flowgate's names: enums become the stored lower-case words
(Flowgate's `COMPLETED` and PostGraphile's `completed` are both `completed`),
timestamps become ISO 8601 in UTC whatever their precision, discovery phases
become `{phase: completed}`, and a connection becomes its list of nodes.
Cursors are left out: each server encodes its own.  JSON values are
compared as they come, so a server returning `rawData` as a string differs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

__all__ = ["flowgate_page", "postgraphile_page"]

Json = dict[str, Any]
Fields = dict[str, tuple[str, Callable[[Any], Any]]]
PHASES = ("data_import", "data_validation", "field_mapping", "data_cleansing", "asset_inventory")


def _same(value: Any) -> Any:
    return value


def _word(value: str | None) -> str | None:
    return value.lower() if value is not None else None


def _instant(value: str | None) -> str | None:
    return datetime.fromisoformat(value).astimezone(UTC).isoformat() if value is not None else None


def _number(value: float | None) -> float | None:
    return float(value) if value is not None else None


def _pick(source: Json, fields: Fields) -> Json:
    """The `fields` that `source` has ({source name: (comparable name, conversion)}), renamed and converted."""
    return {name: convert(source[key]) for key, (name, convert) in fields.items() if key in source}


def _nodes(connection: Json) -> list[Json]:
    """A connection's nodes, whether it was read through `nodes` or `edges`."""
    return connection["nodes"] if "nodes" in connection else [edge["node"] for edge in connection["edges"]]


def _next_page(connection: Json) -> Json:
    """`{"hasNextPage": ...}` when the connection's `pageInfo` was read, else nothing."""
    return {"hasNextPage": connection["pageInfo"]["hasNextPage"]} if "pageInfo" in connection else {}


_RECORD: Fields = {"rowNumber": ("rowNumber", _same), "rawData": ("rawData", _same), "isValid": ("isValid", _same)}


def _records(connection: Json) -> Json:
    return {"records": [_pick(record, _RECORD) for record in _nodes(connection)], **_next_page(connection)}


def _flows(connection: Json, flow: Callable[[Json], Json]) -> Json:
    return {"flows": [flow(each) for each in _nodes(connection)], **_next_page(connection)}


_FLOWGATE_FLOW: Fields = {
    "flowId": ("flowId", _same),
    "name": ("name", _same),
    "flowType": ("type", _word),
    "status": ("status", _word),
    "createdAt": ("createdAt", _instant),
    "updatedAt": ("updatedAt", _instant),
}
_FLOWGATE_DISCOVERY: Fields = {
    "status": ("status", _word),
    "progressPercentage": ("progressPercentage", _number),
    "currentPhase": ("currentPhase", _same),
    "phases": ("phases", lambda phases: {phase["phase"].lower(): phase["completed"] for phase in phases}),
}
_FLOWGATE_IMPORT: Fields = {
    "name": ("name", _same),
    "importType": ("type", _word),
    "status": ("status", _word),
    "totalRecords": ("totalRecords", _same),
}


def _flowgate_import(data_import: Json | None) -> Json | None:
    if data_import is None:
        return None
    return {**_pick(data_import, _FLOWGATE_IMPORT), **(_records(data_import["rawRecords"]) if "rawRecords" in data_import else {})}


def _flowgate_flow(flow: Json) -> Json:
    discovery = flow["discovery"]
    return {
        **_pick(flow, _FLOWGATE_FLOW),
        "discovery": discovery and {**_pick(discovery, _FLOWGATE_DISCOVERY), "dataImport": _flowgate_import(discovery["dataImport"])},
    }


def flowgate_page(body: Json) -> Json:
    """Flowgate's answer to (a) (`masterFlow`) or (b) (`masterFlows`), comparable."""
    data = body["data"]
    if "masterFlow" in data:
        return {"flows": [_flowgate_flow(data["masterFlow"])] if data["masterFlow"] else []}
    return _flows(data["masterFlows"], _flowgate_flow)


_POSTGRAPHILE_FLOW: Fields = {
    "flowId": ("flowId", _same),
    "flowName": ("name", _same),
    "flowType": ("type", _word),
    "flowStatus": ("status", _word),
    "createdAt": ("createdAt", _instant),
    "updatedAt": ("updatedAt", _instant),
}
_POSTGRAPHILE_DISCOVERY: Fields = {
    "status": ("status", _word),
    "progressPercentage": ("progressPercentage", _number),
    "currentPhase": ("currentPhase", _same),
}
_POSTGRAPHILE_IMPORT: Fields = {
    "importName": ("name", _same),
    "importType": ("type", _word),
    "status": ("status", _word),
    "totalRecords": ("totalRecords", _same),
}


def _completed_field(phase: str) -> str:
    """PostGraphile's field for a phase's `<phase>_completed` column: data_import → dataImportCompleted."""
    first, *rest = phase.split("_")
    return first + "".join(word.title() for word in rest) + "Completed"


def _postgraphile_phases(discovery: Json) -> Json:
    fields = {_completed_field(phase): phase for phase in PHASES}
    return {"phases": {phase: discovery[field] for field, phase in fields.items()}} if fields.keys() <= discovery.keys() else {}


def _postgraphile_import(data_import: Json | None) -> Json | None:
    if data_import is None:
        return None
    records = data_import.get("rawImportRecordsByDataImportId")
    return {**_pick(data_import, _POSTGRAPHILE_IMPORT), **(_records(records) if records is not None else {})}


def _postgraphile_flow(flow: Json) -> Json:
    discoveries = _nodes(flow["discoveryFlowsByMasterFlowId"])
    discovery = discoveries[0] if discoveries else None
    return {
        **_pick(flow, _POSTGRAPHILE_FLOW),
        "discovery": discovery
        and {
            **_pick(discovery, _POSTGRAPHILE_DISCOVERY),
            **_postgraphile_phases(discovery),
            "dataImport": _postgraphile_import(discovery["dataImportByDataImportId"]),
        },
    }


def postgraphile_page(body: Json) -> Json:
    """PostGraphile's answer to its (a) or (b) document (`tests.bench.peers.documents`), comparable."""
    return _flows(body["data"]["allCrewaiFlowStateExtensions"], _postgraphile_flow)
