"""Clients generated from `schema.graphql` and the example operations in `tests/operations/*.graphql`.

- Python: ariadne-codegen generates a typed async client, which queries a
  served gateway and gets pydantic models back.
- TypeScript: GraphQL Code Generator (typescript + typescript-operations)
  generates types, and `tsc --strict --noEmit` compiles them with
  `codegen_usage.ts`, so a change that breaks a use there fails.

Both generate into temporary directories.  ariadne-codegen pins
graphql-core<3.3 and Strawberry needs 3.3, so it is installed on first use
into a virtualenv of its own (`.cache/venvs/`); the npm packages go to the
shared `.cache/npm/` prefix (`npm_packages`).  Node.js 20+ with npm must be on
PATH.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest

from db.seed.rows import (
    Row,
    data_import_row,
    discovery_flow_row,
    discovery_progress,
    master_flow_row,
    raw_record_row,
)
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from db.tenancy import Tenant
from graph.guards.auth import issue_token
from graph.settings import Settings
from tests.conftest import ROOT, Database, npm_packages

SCHEMA = ROOT / "schema.graphql"
OPERATIONS = ROOT / "tests" / "operations"
USAGE = Path(__file__).with_name("codegen_usage.ts")
VENVS = ROOT / ".cache" / "venvs"

ARIADNE_CODEGEN = "ariadne-codegen>=0.19,<0.20"
# typescript@7 is the native compiler: about 0.3 s here where typescript@5 takes 7 s.  The plugins' v6 emit
# schema types of their own, so v5 is the last major in which typescript and typescript-operations combine.
NPM_MAJORS = {
    "@graphql-codegen/cli": 6,
    "@graphql-codegen/typescript": 5,
    "@graphql-codegen/typescript-operations": 5,
    "graphql": 16,
    "typescript": 7,
}
PYTHON_SCALARS = {"UUID": "uuid.UUID", "DateTime": "datetime.datetime", "JSON": "typing.Any"}
TYPESCRIPT_SCALARS = {"UUID": "string", "DateTime": "string", "JSON": "unknown"}
PYTHON_PACKAGE = "flowgate_client"
INSTALL_TIMEOUT_SECONDS = 300
GENERATE_TIMEOUT_SECONDS = 120


def run(command: list[str], *, what: str, timeout: float, cwd: Path = ROOT, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`command`'s result; fails the test, naming `what`, on a timeout or (with `check`) an exit code other than 0."""
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} did not finish within {timeout} seconds.")
    if check and result.returncode != 0:
        pytest.fail(f"{what} failed with exit code {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def python_tool(command: str, requirement: str) -> Path:
    """The path of `command` in `.cache/venvs/<command>`, a virtualenv holding `requirement`, made anew when that changes.

    Installs run under a file lock, so concurrent test runs in one checkout never install over each other.
    """
    venv = VENVS / command
    stamp = venv / "requirement.txt"
    VENVS.mkdir(parents=True, exist_ok=True)
    with (VENVS / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.is_file() and stamp.read_text() == requirement):
            shutil.rmtree(venv, ignore_errors=True)
            run([sys.executable, "-m", "venv", str(venv)], what=f"Creating {venv}", timeout=INSTALL_TIMEOUT_SECONDS)
            pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", requirement]
            run(pip, what=f"`pip install {requirement}`", timeout=INSTALL_TIMEOUT_SECONDS)
            stamp.write_text(requirement)
    return venv / "bin" / command


def toml_table(name: str, values: dict[str, str]) -> str:
    """A TOML table of string values: `toml_table("a", {"b": "c"})` is `[a]\\nb = "c"\\n`."""
    return f"[{name}]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())


def ariadne_codegen_config(target: Path) -> str:
    """ariadne-codegen's pyproject-style settings: a client package named PYTHON_PACKAGE in `target`."""
    settings = {
        "schema_path": str(SCHEMA),
        "queries_path": str(OPERATIONS),
        "target_package_name": PYTHON_PACKAGE,
        "target_package_path": str(target),
        "client_name": "FlowgateClient",
    }
    scalars = [toml_table(f"tool.ariadne-codegen.scalars.{name}", {"type": type_}) for name, type_ in PYTHON_SCALARS.items()]
    return "\n".join([toml_table("tool.ariadne-codegen", settings), *scalars])


def import_package(directory: Path, name: str) -> ModuleType:
    """Imports the package `directory / name` as `name` (registered in `sys.modules`, so relative imports work)."""
    spec = importlib.util.spec_from_file_location(name, directory / name / "__init__.py", submodule_search_locations=[str(directory / name)])
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


@pytest.fixture(scope="session")
def python_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package ariadne-codegen generates, imported."""
    codegen = python_tool("ariadne-codegen", ARIADNE_CODEGEN)
    directory = tmp_path_factory.mktemp("python_client")
    config = directory / "pyproject.toml"
    config.write_text(ariadne_codegen_config(directory))
    run([str(codegen), "--config", str(config), "client"], what="ariadne-codegen", timeout=GENERATE_TIMEOUT_SECONDS)
    yield import_package(directory, PYTHON_PACKAGE)
    for module in [m for m in sys.modules if m == PYTHON_PACKAGE or m.startswith(f"{PYTHON_PACKAGE}.")]:
        del sys.modules[module]


@pytest.fixture(scope="session")
def node_modules() -> Path:
    return npm_packages(NPM_MAJORS) / "node_modules"


@pytest.fixture(scope="session")
def typescript_types(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory holding `graphql.ts`, the types GraphQL Code Generator generates."""
    directory = tmp_path_factory.mktemp("typescript_types")
    config = {
        "schema": str(SCHEMA),
        "documents": [str(OPERATIONS / "*.graphql")],
        "generates": {
            str(directory / "graphql.ts"): {
                "plugins": ["typescript", "typescript-operations"],
                "config": {
                    "scalars": TYPESCRIPT_SCALARS,
                    "strictScalars": True,
                    "enumsAsTypes": True,
                    "avoidOptionals": {"field": True},  # a selected field is always in the result, maybe null
                },
            }
        },
    }
    (directory / "codegen.json").write_text(json.dumps(config, indent=2))
    run(
        ["node", str(node_modules / ".bin" / "graphql-codegen"), "--config", str(directory / "codegen.json")],
        what="graphql-codegen",
        timeout=GENERATE_TIMEOUT_SECONDS,
        cwd=node_modules.parent,  # where it looks for its plugins
    )
    return directory


def typecheck(source: Path, generated: Path, node_modules: Path) -> subprocess.CompletedProcess[str]:
    """`tsc --strict --noEmit` of `source`, whose `./graphql` import finds `generated / "graphql.ts"` (via rootDirs)."""
    config = generated / f"tsconfig.{source.stem}.json"
    options = {
        "target": "es2022",
        "lib": ["es2022"],
        "module": "esnext",
        "moduleResolution": "bundler",
        "types": [],
        "rootDirs": [str(source.parent), str(generated)],
    }
    config.write_text(json.dumps({"compilerOptions": options, "files": [str(source)]}, indent=2))
    tsc = ["node", str(node_modules / ".bin" / "tsc"), "--project", str(config), "--strict", "--noEmit"]
    return run(tsc, what="tsc", timeout=GENERATE_TIMEOUT_SECONDS, check=False)


def bearer(settings: Settings, tenant: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, tenant)}"}


async def insert_discovery(db: Database, tenant: Tenant, **flow_columns: Any) -> tuple[Row, Row]:
    """A master flow (with `flow_columns`) whose discovery flow links a cmdb import of one valid and one invalid row."""
    flow = master_flow_row(tenant, **flow_columns)
    data_import = data_import_row(tenant, import_name="Frankfurt DC1 CMDB export", total_records=2)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [data_import])
    await db.insert(
        discovery_flows,
        [
            discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=data_import["id"], **discovery_progress(40.0)),
        ],
    )
    await db.insert(
        raw_import_records,
        [
            raw_record_row(tenant, data_import_id=data_import["id"], row_number=1, raw_data={"hostname": "fra-db-01"}),
            raw_record_row(
                tenant,
                data_import_id=data_import["id"],
                row_number=2,
                raw_data={"hostname": ""},
                is_valid=False,
                validation_errors={"hostname": "must not be empty"},
            ),
        ],
    )
    return flow, data_import


async def test_the_generated_python_client_returns_typed_models_from_a_served_gateway(
    python_client: ModuleType, live_server: str, settings: Settings, db: Database, tenant: Tenant
):
    flow, _ = await insert_discovery(db, tenant, flow_name="Frankfurt DC1", flow_status="running")
    client = python_client.FlowgateClient(url=f"{live_server}/graphql", headers=bearer(settings, tenant))

    async with client:
        result = await client.flow_detail(flow_id=flow["flow_id"], records=10)

    assert isinstance(result, python_client.FlowDetail)
    detail = result.master_flow
    assert isinstance(detail.flow_id, UUID) and isinstance(detail.created_at, datetime)
    assert detail.flow_type is python_client.FlowType.DISCOVERY
    edges = detail.discovery.data_import.raw_records.edges
    assert all(isinstance(edge.cursor, str) for edge in edges)
    cursors = {"master_flow": {"discovery": {"data_import": {"raw_records": {"edges": {"__all__": {"cursor"}}}}}}}
    assert result.model_dump(exclude=cursors) == {
        "master_flow": {
            "flow_id": flow["flow_id"],
            "name": "Frankfurt DC1",
            "flow_type": python_client.FlowType.DISCOVERY,
            "status": python_client.MasterFlowStatus.RUNNING,
            "created_at": flow["created_at"],
            "updated_at": flow["updated_at"],
            "parent_flow": None,
            "child_flows": [],
            "discovery": {
                "status": python_client.DiscoveryFlowStatus.RUNNING,
                "current_phase": "field_mapping",
                "progress_percentage": 40.0,
                "phases": [
                    {"phase": python_client.DiscoveryPhase.DATA_IMPORT, "completed": True},
                    {"phase": python_client.DiscoveryPhase.DATA_VALIDATION, "completed": True},
                    {"phase": python_client.DiscoveryPhase.FIELD_MAPPING, "completed": False},
                    {"phase": python_client.DiscoveryPhase.DATA_CLEANSING, "completed": False},
                    {"phase": python_client.DiscoveryPhase.ASSET_INVENTORY, "completed": False},
                ],
                "data_import": {
                    "name": "Frankfurt DC1 CMDB export",
                    "import_type": python_client.ImportType.CMDB,
                    "status": python_client.ImportStatus.COMPLETED,
                    "total_records": 2,
                    "raw_records": {
                        "total_count": 2,
                        "edges": [
                            {"node": {"row_number": 1, "raw_data": {"hostname": "fra-db-01"}, "is_valid": True, "validation_errors": None}},
                            {
                                "node": {
                                    "row_number": 2,
                                    "raw_data": {"hostname": ""},
                                    "is_valid": False,
                                    "validation_errors": {"hostname": "must not be empty"},
                                }
                            },
                        ],
                        "page_info": {"has_next_page": False, "end_cursor": edges[-1].cursor},
                    },
                },
            },
        }
    }


async def test_the_generated_python_client_sends_typed_input_variables(
    python_client: ModuleType, live_server: str, settings: Settings, db: Database, tenant: Tenant
):
    await insert_discovery(db, tenant, flow_name="Discovery")
    assessment = master_flow_row(tenant, flow_type="assessment", flow_name="Assessment", flow_status="paused")
    await db.insert(master_flows, [assessment])
    client = python_client.FlowgateClient(url=f"{live_server}/graphql", headers=bearer(settings, tenant))
    only_assessments = python_client.MasterFlowFilter(flow_types=[python_client.FlowType.ASSESSMENT])

    async with client:
        result = await client.flow_list(first=5, filter_=only_assessments)

    assert isinstance(result, python_client.FlowList)
    assert result.model_dump() == {
        "master_flows": {
            "total_count": 1,
            "nodes": [
                {
                    "flow_id": assessment["flow_id"],
                    "name": "Assessment",
                    "flow_type": python_client.FlowType.ASSESSMENT,
                    "status": python_client.MasterFlowStatus.PAUSED,
                    "updated_at": assessment["updated_at"],
                    "discovery": None,
                }
            ],
            "page_info": {"has_next_page": False, "end_cursor": result.master_flows.page_info.end_cursor},
        }
    }


def test_the_generated_typescript_types_compile_with_their_committed_usage(typescript_types: Path, node_modules: Path):
    result = typecheck(USAGE, typescript_types, node_modules)

    assert result.returncode == 0, f"tsc rejected {USAGE.relative_to(ROOT)}:\n{result.stdout}{result.stderr}"


def test_tsc_rejects_a_use_that_ignores_null_or_json_typing(typescript_types: Path, node_modules: Path, tmp_path: Path):
    misuse = tmp_path / "misuse.ts"
    misuse.write_text(
        'import type { FlowDetailQuery } from "./graphql";\n'
        "export const flowId = (data: FlowDetailQuery): string => data.masterFlow.flowId;\n"
        "export const row = (data: FlowDetailQuery): string =>\n"
        "  data.masterFlow!.discovery!.dataImport!.rawRecords.edges[0]!.node.rawData;\n"
    )

    result = typecheck(misuse, typescript_types, node_modules)

    errors = [(int(line), code) for line, code in re.findall(r"misuse\.ts\((\d+),\d+\): error (TS\d+)", result.stdout)]
    assert result.returncode != 0
    # 'data.masterFlow' is possibly 'null'; type 'unknown' is not assignable to type 'string'.
    assert errors == [(2, "TS18047"), (4, "TS2322")], result.stdout
