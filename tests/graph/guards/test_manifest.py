"""Building a trusted documents manifest (graph/manifest.py): only documents the gateway would run get in."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from graph.guards.manifest import ManifestError, build_manifest
from graph.schema.root import schema
from tests.conftest import ROOT, command_env

FLOW_NAMES = "query FlowNames { masterFlows { nodes { name } } }\n"


def write(directory, name: str, text: str):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_graphql_file_under_a_directory_is_a_document_keyed_by_its_sha256(tmp_path):
    write(tmp_path, "flows/names.graphql", FLOW_NAMES)
    write(tmp_path, "flows/deeper/count.graphql", "{ masterFlows { totalCount } }")
    write(tmp_path, "notes.txt", "not a document")

    manifest = build_manifest([tmp_path], schema._schema)

    assert manifest == {hashlib.sha256(text.encode()).hexdigest(): text for text in (FLOW_NAMES, "{ masterFlows { totalCount } }")}


def test_documents_that_would_be_refused_stop_the_build_naming_each_file(tmp_path):
    invalid = write(tmp_path, "invalid.graphql", "{ dataImports { id } }")
    broken = write(tmp_path, "broken.graphql", "{ masterFlows {")
    fragment = write(tmp_path, "fragment.graphql", "fragment Name on MasterFlow { name }")

    with pytest.raises(ManifestError) as raised:
        build_manifest([tmp_path], schema._schema)

    assert str(raised.value).splitlines() == [
        f"{broken}: Syntax Error: Expected Name, found <EOF>.",
        f"{fragment}: The document holds no operation.",
        f"{invalid}: Cannot query field 'dataImports' on type 'Query'.",
    ]


def test_the_command_fails_naming_a_path_that_does_not_exist(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "graph", "manifest", str(tmp_path / "missing")],
        cwd=ROOT,
        env=command_env(),
        capture_output=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode() == f"python -m graph manifest: {tmp_path / 'missing'}: no such file or directory.\n"
