"""A graphql-transport-ws client for tests, and the moves subscription tests share.

Every wait is bounded; server pings are answered.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import websockets
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection

from db.tables import master_flows
from db.tenancy import Tenant
from graph.guards.auth import issue_token
from graph.settings import Settings
from tests.conftest import Database

PROTOCOL = "graphql-transport-ws"
RECEIVE_SECONDS = 2.0
QUIET_SECONDS = 1.0  # longer than the coalescing window (250 ms) plus a re-read
WARM_UP_SECONDS = 10.0

FLOW_CHANGED = "subscription ($flowId: UUID!) { masterFlowChanged(flowId: $flowId) { flowId name } }"


class Socket:
    """One graphql-transport-ws connection, for tests: every wait is bounded, and server pings are answered."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, within: float = RECEIVE_SECONDS) -> dict[str, Any]:
        """The next message but pings; raises TimeoutError when none arrives `within` seconds."""
        async with asyncio.timeout(within):
            while True:
                message = json.loads(await self.connection.recv())
                if message["type"] != "ping":
                    return message
                await self.send({"type": "pong"})

    async def received(self, seconds: float = QUIET_SECONDS) -> list[dict[str, Any]]:
        """Every message but pings that arrives within `seconds`."""
        messages = []
        with suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    messages.append(await self.receive(within=seconds))
        return messages

    async def subscribe(self, operation_id: str, flow_id: uuid.UUID, query: str = FLOW_CHANGED) -> None:
        payload = {"query": query, "variables": {"flowId": str(flow_id)}}
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})

    async def close_code(self) -> int:
        """The code the server closes the socket with."""
        async with asyncio.timeout(RECEIVE_SECONDS):
            try:
                while True:
                    await self.connection.recv()
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code


@asynccontextmanager
async def socket(base_url: str, *, subprotocol: str = PROTOCOL, headers: dict[str, str] | None = None) -> AsyncIterator[Socket]:
    """A WebSocket to the gateway's `/graphql`, not yet initialised."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=[subprotocol], additional_headers=headers, open_timeout=5, close_timeout=2) as connection:
        yield Socket(connection)


@asynccontextmanager
async def connected(base_url: str, settings: Settings, tenant: Tenant) -> AsyncIterator[Socket]:
    """A socket initialised with a bearer token of `tenant` in the `connection_init` payload."""
    async with socket(base_url) as ws:
        await ws.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {issue_token(settings, tenant)}"}})
        assert await ws.receive() == {"type": "connection_ack"}
        yield ws


def pushed(operation_id: str, flow: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The `next` message pushing `flow` with `fields` (flowId and name by default)."""
    data = {"flowId": str(flow["flow_id"]), "name": flow["flow_name"], **fields}
    return {"id": operation_id, "type": "next", "payload": {"data": {"masterFlowChanged": data}}}


async def rename(db: Database, flow: dict[str, Any], name: str) -> None:
    """Rename `flow` in SQL, in its own transaction, and in the test's copy of the row."""
    async with db.engine.begin() as connection:
        await connection.execute(update(master_flows).where(master_flows.c.flow_id == flow["flow_id"]).values(flow_name=name))
    flow["flow_name"] = name


async def warm_up(ws: Socket, db: Database, flow: dict[str, Any], operation_id: str) -> None:
    """Returns once subscription `operation_id` is live: `flow` is renamed until it pushes, then the socket falls quiet."""
    async with asyncio.timeout(WARM_UP_SECONDS):
        for attempt in itertools.count():
            await rename(db, flow, f"warm-up {attempt}")
            with suppress(TimeoutError):
                if (await ws.receive(within=QUIET_SECONDS))["id"] == operation_id:
                    break
    await ws.received()
