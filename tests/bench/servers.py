"""Starting and watching the benchmark's servers: the gateway and the raw-SQL limit."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

__all__ = [
    "child_pids",
    "cpu_seconds",
    "eventually",
    "free_port",
    "gateway_sessions",
    "peak_rss_mb",
    "process_tree",
    "rss_mb",
    "running",
    "sessions_end",
    "sql_statements_total",
]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port} within {timeout:.0f} s")


@contextmanager
def running(
    command: list[str], port: int, env: dict[str, str] | None = None, *, log: Path | None = None, cwd: Path = ROOT
) -> Iterator[subprocess.Popen]:
    """Run a server in `cwd` until the block ends (SIGTERM, then SIGKILL after 10 s); its output goes to `log`, if given."""
    with log.open("ab") if log else open(os.devnull, "wb") as output:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {}), "PORT": str(port)}, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(port, process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def child_pids(pid: int) -> list[int]:
    """The processes `pid` started (uvicorn's workers), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and the processes it started."""
    return [pid, *child_pids(pid)]


def _memory_mb(pid: int, field: str) -> float:
    total = 0
    for each in process_tree(pid):
        status = Path(f"/proc/{each}/status").read_text()
        total += int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))
    return total / 1024


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process and its children, in MiB (VmHWM)."""
    return _memory_mb(pid, "VmHWM")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children now, in MiB (VmRSS)."""
    return _memory_mb(pid, "VmRSS")


def cpu_seconds(pid: int) -> float:
    """CPU time a process and its children have used so far (user and system), from /proc."""
    total = 0
    for each in process_tree(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of proc(5)
    return total / os.sysconf("SC_CLK_TCK")


async def sql_statements_total(port: int) -> float:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    text = (await reader.read()).decode()
    writer.close()
    return float(re.search(r"^gateway_sql_statements_total (\S+)$", text, re.MULTILINE).group(1))


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float, every: float = 0.05) -> float:
    """Seconds until `check()` first holds; raises TimeoutError after `within` seconds."""
    started = time.monotonic()
    async with asyncio.timeout(within):
        while not await check():
            await asyncio.sleep(every)
    return time.monotonic() - started


async def gateway_sessions(connection: asyncpg.Connection, pids: Collection[int]) -> list[asyncpg.Record]:
    """The database sessions of the pools of processes `pids` (`application_name` = `flowgate:<pid>`), with their state."""
    await connection.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction, statistics are a snapshot
    return await connection.fetch(
        "SELECT pid, application_name, state, wait_event_type FROM pg_stat_activity WHERE application_name = ANY($1::text[])",
        [f"flowgate:{pid}" for pid in pids],
    )


async def sessions_end(connection: asyncpg.Connection, pids: Collection[int], *, within: float) -> bool:
    """Whether the sessions of the pools of processes `pids` are all gone within `within` seconds."""

    async def none_left() -> bool:
        return not await gateway_sessions(connection, pids)

    try:
        await eventually(none_left, within=within)
    except TimeoutError:
        return False
    return True


PYTHON = sys.executable
