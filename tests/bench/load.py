"""A minimal HTTP/1.1 keep-alive load generator, so the client costs little next to the server."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

__all__ = ["Latency", "measure_latencies", "measure_throughput", "request_bytes"]


def request_bytes(method: str, target: str, *, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> _Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def send(self, request: bytes) -> bytes:
        """Send one request and return the response body; raises unless the status is 200."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = head[9:12]
        length = next(
            int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
        body = await self.reader.readexactly(length)
        if status != b"200":
            raise RuntimeError(f"HTTP {status.decode()}: {body[:300]!r}")
        return body

    def close(self) -> None:
        self.writer.close()


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    body: bytes


def _latency(samples: list[float], body: bytes) -> Latency:
    quantiles = statistics.quantiles(samples, n=20)
    return Latency(statistics.median(samples) * 1000, quantiles[18] * 1000, body)


async def measure_latencies(
    targets: list[tuple[int, bytes]], *, count: int, warmup: int = 30
) -> list[Latency]:
    """Latency at concurrency 1 of each (port, request), over one keep-alive connection each.

    The targets take turns request by request, so a change in the machine's
    load hits all of them alike and their ratios stay meaningful.
    """
    connections = [await _Connection.open(port) for port, _ in targets]
    samples: list[list[float]] = [[] for _ in targets]
    bodies = [b""] * len(targets)
    try:
        for round_number in range(warmup + count):
            for index, (connection, (_, request)) in enumerate(zip(connections, targets, strict=True)):
                started = time.perf_counter()
                bodies[index] = await connection.send(request)
                if round_number >= warmup:
                    samples[index].append(time.perf_counter() - started)
    finally:
        for connection in connections:
            connection.close()
    return [_latency(series, body) for series, body in zip(samples, bodies, strict=True)]


async def measure_throughput(port: int, request: bytes, *, concurrency: int, seconds: float) -> float:
    """Requests per second with `concurrency` connections looping for `seconds`."""
    connections = [await _Connection.open(port) for _ in range(concurrency)]
    deadline = time.perf_counter() + seconds
    done = 0

    async def loop(connection: _Connection) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await connection.send(request)
            done += 1

    started = time.perf_counter()
    try:
        await asyncio.gather(*(loop(c) for c in connections))
    finally:
        for connection in connections:
            connection.close()
    return done / (time.perf_counter() - started)
