"""A rolling restart behind a real load balancer loses no request.

Two gateways (`python -m graph serve`) serve the reliability cluster behind
Debian's HAProxy, which checks `/readyz` every 100 ms.  While clients send
queries through HAProxy without pause, each gateway in turn gets SIGTERM,
exits, and is started again on its port; the next waits until the first is
back in rotation.  Draining (`SHUTDOWN_DRAIN_SECONDS`) is what makes this
lossless: HAProxy takes a gateway out of rotation before it stops accepting
connections.  HAProxy is configured not to retry (`retries 0`), so a request
it could not deliver is counted as an error, not hidden by a second try.

`make rolling-restart` runs this test and prints its figures.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx

from db.seed.bench import BENCH_TENANT
from db.settings import DatabaseSettings
from graph.guards.auth import issue_token
from graph.settings import DEVELOPMENT_JWT_SECRET, Settings
from tests.bench.servers import eventually, free_port, running
from tests.programs import debian_program

HAPROXY = Path("/usr/sbin/haproxy")
GATEWAYS = 2
CLIENTS = 8
DRAIN_SECONDS = 1.5  # longer than HAProxy needs to see a failed check (one 500 ms interval, fall 1)
SETTLE_SECONDS = 1.0  # load before the first restart and after the last
BACK_IN_ROTATION_SECONDS = 30.0
PAGE = """
query Page { masterFlows(first: 10) { nodes { flowId discovery { dataImport { rawRecords(first: 5) { nodes { rowNumber } } } } } } }
"""


def _haproxy_config(directory: Path, port: int, gateway_ports: list[int]) -> Path:
    servers = "".join(f"  server gateway{n} 127.0.0.1:{gateway_port} check\n" for n, gateway_port in enumerate(gateway_ports))
    config = directory / "haproxy.cfg"
    config.write_text(
        "defaults\n  mode http\n  retries 0\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n"
        f"frontend graphql\n  bind 127.0.0.1:{port}\n  default_backend gateways\n"
        "backend gateways\n  balance roundrobin\n  option httpchk GET /readyz\n  http-check expect status 200\n"
        "  default-server inter 500ms fall 1 rise 1\n" + servers
    )
    return config


@contextmanager
def _haproxy(config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen([str(debian_program(HAPROXY, "haproxy")), "-db", "-f", str(config)], stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Gateway:
    """`python -m graph serve` on a fixed port, which the test stops and starts again."""

    def __init__(self, database: DatabaseSettings, port: int, log: Path) -> None:
        self.port, self.log = port, log
        self.env = {
            "DATABASE_URL": database.url or "",
            "DB_SCHEMA": database.schema_name,
            "HOST": "127.0.0.1",
            "JWT_SECRET": DEVELOPMENT_JWT_SECRET,
            "FLOWGATE_ENV": "development",
            "SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS),
        }
        self._running = running([sys.executable, "-m", "graph", "serve", "--workers", "1"], port, self.env, log=log)
        self.process = self._running.__enter__()

    async def restart(self) -> float:
        """SIGTERM, wait for the exit, start again on the same port; returns the seconds the old process took to exit."""
        started = time.monotonic()
        await asyncio.to_thread(self._running.__exit__, None, None, None)  # off the loop: the clients go on meanwhile
        stopped = time.monotonic() - started
        self._running = running([sys.executable, "-m", "graph", "serve", "--workers", "1"], self.port, self.env, log=self.log)
        self.process = await asyncio.to_thread(self._running.__enter__)
        return stopped

    def stop(self) -> None:
        self._running.__exit__(None, None, None)


async def _in_rotation(stats: httpx.AsyncClient, name: str) -> bool:
    """Whether HAProxy has server `name` UP, from its CSV stats (False until HAProxy listens)."""
    try:
        rows = (await stats.get("/stats;csv")).text.splitlines()
    except httpx.TransportError:
        return False
    return any(row.startswith(f"gateways,{name},") and ",UP," in row for row in rows)


@asynccontextmanager
async def _load(url: str, tally: Counter[str]) -> AsyncIterator[None]:
    """CLIENTS clients sending PAGE without pause until the block ends; `tally` counts `ok` and every kind of failure."""
    stop = asyncio.Event()
    headers = {"Authorization": f"Bearer {issue_token(Settings(), BENCH_TENANT)}"}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=10, headers=headers) as http:
            while not stop.is_set():
                try:
                    response = await http.post("/graphql", json={"query": PAGE})
                except httpx.HTTPError as error:
                    tally[type(error).__name__] += 1
                    continue
                served = response.status_code == 200 and response.json().get("data", {}).get("masterFlows", {}).get("nodes")
                tally["ok" if served else f"HTTP {response.status_code}"] += 1

    tasks = [asyncio.create_task(client()) for _ in range(CLIENTS)]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def test_a_rolling_restart_under_load_loses_no_request(database: DatabaseSettings, tmp_path: Path):
    front, stats_port = free_port(), free_port()
    ports = [free_port() for _ in range(GATEWAYS)]
    config = _haproxy_config(tmp_path, front, ports)
    config.write_text(config.read_text() + f"listen stats\n  bind 127.0.0.1:{stats_port}\n  stats enable\n  stats uri /stats\n")
    gateways = [_Gateway(database, port, tmp_path / f"gateway{n}.log") for n, port in enumerate(ports)]
    tally: Counter[str] = Counter()
    exits: list[float] = []
    try:
        with _haproxy(config, tmp_path / "haproxy.log"):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stats_port}", timeout=5) as stats:
                for n in range(GATEWAYS):
                    await eventually(lambda n=n: _in_rotation(stats, f"gateway{n}"), within=BACK_IN_ROTATION_SECONDS)
                started = time.monotonic()
                async with _load(f"http://127.0.0.1:{front}", tally):
                    await asyncio.sleep(SETTLE_SECONDS)
                    for n, gateway in enumerate(gateways):
                        exits.append(await gateway.restart())
                        await eventually(lambda n=n: _in_rotation(stats, f"gateway{n}"), within=BACK_IN_ROTATION_SECONDS)
                    await asyncio.sleep(SETTLE_SECONDS)
                seconds = time.monotonic() - started
    finally:
        for gateway in gateways:
            gateway.stop()

    requests, errors = sum(tally.values()), sum(count for kind, count in tally.items() if kind != "ok")
    print(
        f"\nRolling restart of {GATEWAYS} gateways behind HAProxy, {CLIENTS} clients, {seconds:.1f} s: "
        f"{requests} requests, {errors} errors ({dict(tally)}); each old process exited {', '.join(f'{s:.1f}' for s in exits)} s after SIGTERM."
    )
    assert errors == 0, dict(tally)
    assert tally["ok"] > 100
    assert all(exit_seconds >= DRAIN_SECONDS for exit_seconds in exits)
