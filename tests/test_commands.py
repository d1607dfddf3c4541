"""The command contract other tools rely on (design §7), run as real subprocesses.

`python -m graph token`, `python -m graph schema` and `python -m graph serve`
read their settings from the environment (`DATABASE_URL`, `DB_SCHEMA`,
`JWT_SECRET`, `HOST`, `PORT`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx
import jwt

from db.seed.rows import master_flow_row
from db.tables import master_flows
from graph.auth import issue_token
from graph.settings import DEVELOPMENT_JWT_SECRET, Settings

ROOT = Path(__file__).resolve().parents[1]
COMMAND_TIMEOUT_SECONDS = 30
STARTUP_TIMEOUT_SECONDS = 20
SHUTDOWN_TIMEOUT_SECONDS = 10


def command_env(**overrides: str) -> dict[str, str]:
    """The test process's environment (so `DATABASE_URL` is shared) without a custom JWT secret, plus `overrides`."""
    env = {name: value for name, value in os.environ.items() if name not in ("JWT_SECRET", "FLOWGATE_ENV")}
    return {**env, **overrides}


def run_graph(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "graph", *arguments],
        cwd=ROOT,
        env=env or command_env(),
        capture_output=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the process has not exited in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)


async def wait_until_healthy(client: httpx.AsyncClient, process: subprocess.Popen[bytes], log: Path) -> None:
    async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
        while True:
            assert process.poll() is None, f"the server exited early:\n{log.read_text()}"
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


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


async def test_serve_answers_graphql_over_real_http(settings: Settings, db, tenant):
    port = free_port()
    env = command_env(
        HOST="127.0.0.1", PORT=str(port), DB_SCHEMA=settings.database.schema, JWT_SECRET=settings.jwt_secret
    )
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "serve.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "graph", "serve", "--workers", "1"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                await wait_until_healthy(client, process, log)
                flow = master_flow_row(tenant, flow_name="Served")
                await db.insert(master_flows, [flow])

                response = await client.post(
                    "/graphql",
                    json={
                        "query": "query ($flowId: UUID!) { masterFlow(flowId: $flowId) { flowId name } }",
                        "variables": {"flowId": str(flow["flow_id"])},
                    },
                    headers={"Authorization": f"Bearer {issue_token(settings, tenant)}"},
                )
        finally:
            stop(process)

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Served"}}}
