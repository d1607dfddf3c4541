"""The official GraphQL-over-HTTP audit (npm `graphql-http`'s `auditServer`) against a served gateway.

The package is installed on first use into `.cache/npm/` (git-ignored) with
npm, so the test needs Node.js 20+ and npm on PATH; it fails, naming them,
when they are missing.  Every MUST and SHOULD audit must pass; MAY audits
are optional.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from db.tenancy import Tenant
from graph.guards.auth import issue_token
from graph.settings import Settings
from tests.conftest import npm_packages

GRAPHQL_HTTP_MAJOR = 1
AUDIT_SCRIPT = Path(__file__).with_name("graphql_http_audit.mjs")
AUDIT_TIMEOUT_SECONDS = 60


@pytest.fixture(scope="session")
def graphql_http() -> Path:
    """The npm prefix holding graphql-http@GRAPHQL_HTTP_MAJOR, installed there unless already present."""
    return npm_packages({"graphql-http": GRAPHQL_HTTP_MAJOR})


def audit(prefix: Path, url: str, token: str) -> list[dict[str, Any]]:
    """The audit results printed by the Node script (see its header for their shape)."""
    result = subprocess.run(
        ["node", str(AUDIT_SCRIPT), str(prefix), url],
        env={**os.environ, "FLOWGATE_TOKEN": token},
        capture_output=True,
        timeout=AUDIT_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"the audit script failed:\n{result.stderr.decode()}"
    return json.loads(result.stdout)


def describe(failure: dict[str, Any]) -> str:
    return f"{failure['id']} {failure['name']}: {failure['reason']}; got {failure['response']}"


def test_every_must_and_should_audit_passes(live_server: str, graphql_http: Path, settings: Settings):
    token = issue_token(settings, Tenant(uuid.uuid4(), uuid.uuid4()))

    results = audit(graphql_http, f"{live_server}/graphql", token)

    failures = [r for r in results if r["status"] != "ok" and not r["name"].startswith("MAY")]
    assert results, "the audit ran no audits"
    assert not failures, f"{len(failures)} of {len(results)} audits failed:\n" + "\n".join(map(describe, failures))
