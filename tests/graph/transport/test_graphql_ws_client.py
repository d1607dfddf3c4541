"""Interoperability with the reference client: npm `graphql-ws` (over `ws`) against a served gateway.

The packages are installed on first use into `.cache/npm/` (git-ignored),
so the tests need Node.js 20+ and npm on PATH.  `graphql_ws_client.mjs`
subscribes and prints the first outcome as one JSON line.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from db.seed.rows import master_flow_row
from db.tables import master_flows
from graph.guards.auth import issue_token
from tests.conftest import npm_packages
from tests.graph.transport.transport_ws import rename

CLIENT_SCRIPT = Path(__file__).with_name("graphql_ws_client.mjs")
CLIENT_TIMEOUT_SECONDS = 20
RENAME_EVERY_SECONDS = 0.3


@pytest.fixture(scope="session")
def graphql_ws() -> Path:
    """The npm prefix holding graphql-ws 6 and ws 8."""
    return npm_packages({"graphql-ws": 6, "ws": 8})


async def first_outcome(
    prefix: Path, base_url: str, flow_id: str, token: str, *, while_waiting: Callable[[], Awaitable[None]] | None = None
) -> dict[str, Any]:
    """What the graphql-ws client reports first; `while_waiting()` is awaited repeatedly until it does."""
    process = await asyncio.create_subprocess_exec(
        "node",
        str(CLIENT_SCRIPT),
        str(prefix),
        base_url.replace("http://", "ws://") + "/graphql",
        flow_id,
        env={**os.environ, "FLOWGATE_TOKEN": token},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(CLIENT_TIMEOUT_SECONDS):
            while while_waiting is not None and process.returncode is None:
                await while_waiting()
                await asyncio.sleep(RENAME_EVERY_SECONDS)
            stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, f"the graphql-ws client failed:\n{stderr.decode()}"
    return json.loads(stdout)


async def test_the_graphql_ws_client_receives_pushes(live_server, graphql_ws, settings, db, tenant):
    flow = master_flow_row(tenant, flow_name="Before")
    await db.insert(master_flows, [flow])
    renames = itertools.count()

    async def rename_again() -> None:
        await rename(db, flow, f"renamed {next(renames)}")

    outcome = await first_outcome(graphql_ws, live_server, str(flow["flow_id"]), issue_token(settings, tenant), while_waiting=rename_again)

    pushed = outcome["next"]["data"]["masterFlowChanged"]
    assert outcome == {"next": {"data": {"masterFlowChanged": {"flowId": str(flow["flow_id"]), "name": pushed["name"]}}}}
    assert pushed["name"].startswith("renamed ")


async def test_the_graphql_ws_client_sees_a_bad_token_as_close_code_4403(live_server, graphql_ws):
    outcome = await first_outcome(graphql_ws, live_server, str(uuid.uuid4()), "not-a-token")

    assert outcome == {"closed": 4403}
