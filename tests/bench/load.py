"""A minimal HTTP/1.1 keep-alive load generator, so the client costs little next to the server."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

import orjson

__all__ = [
    "Latency",
    "Sample",
    "generate_load",
    "http_calls",
    "measure_latencies",
    "measure_throughput",
    "request_bytes",
    "stop_after",
    "take_turns",
]


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

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send one request; the response's status and body."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
        return int(head[9:12]), await self.reader.readexactly(length)

    async def send(self, request: bytes) -> bytes:
        """Send one request and return the response body; raises unless the status is 200."""
        status, body = await self.exchange(request)
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:300]!r}")
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


async def take_turns(calls: Sequence[Callable[[], Awaitable[bytes]]], *, count: int, warmup: int = 30) -> list[Latency]:
    """Latency of each call, one at a time, each with the last bytes it returned.

    The calls take turns, `warmup` rounds untimed and then `count` timed, so
    a change in the machine's load hits all of them alike and their ratios
    stay meaningful.
    """
    samples: list[list[float]] = [[] for _ in calls]
    bodies = [b""] * len(calls)
    for round_number in range(warmup + count):
        for index, call in enumerate(calls):
            started = time.perf_counter()
            bodies[index] = await call()
            if round_number >= warmup:
                samples[index].append(time.perf_counter() - started)
    return [_latency(series, body) for series, body in zip(samples, bodies, strict=True)]


@asynccontextmanager
async def http_calls(targets: list[tuple[int, bytes]]) -> AsyncIterator[list[Callable[[], Awaitable[bytes]]]]:
    """For each (port, request), a call that sends the request over a keep-alive connection of its own and returns the body."""
    connections = [await _Connection.open(port) for port, _ in targets]
    try:
        yield [partial(connection.send, request) for connection, (_, request) in zip(connections, targets, strict=True)]
    finally:
        for connection in connections:
            connection.close()


async def measure_latencies(targets: list[tuple[int, bytes]], *, count: int, warmup: int = 30) -> list[Latency]:
    """Latency at concurrency 1 of each (port, request), over one keep-alive connection each, taking turns (`take_turns`)."""
    async with http_calls(targets) as calls:
        return await take_turns(calls, count=count, warmup=warmup)


@dataclass(frozen=True)
class Sample:
    """One request of `generate_load`.

    `started` is on the `time.monotonic` clock; `status` is 0 when the
    connection failed or no answer came within the timeout; `codes` are the
    `extensions.code` of the GraphQL errors in the response, in order.
    """

    request: int
    started: float
    seconds: float
    status: int
    codes: tuple[str, ...]


def _codes(body: bytes) -> tuple[str, ...]:
    if b'"errors"' not in body:
        return ()
    errors = orjson.loads(body).get("errors") or []
    return tuple(error.get("extensions", {}).get("code", "") for error in errors)


def stop_after(seconds: float) -> asyncio.Event:
    """An event that is set `seconds` from now."""
    event = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, event.set)
    return event


async def generate_load(
    port: int,
    requests: Sequence[bytes],
    *,
    concurrency: int,
    stop: asyncio.Event,
    record: Callable[[Sample], None],
    timeout: float = 30.0,
    ramp: float = 0.0,
) -> None:
    """Send `requests` in turn over `concurrency` keep-alive connections until `stop` is set.

    Never raises for a failed request: each one is passed to `record`, and a
    connection that fails or gives no answer within `timeout` seconds is
    replaced by a new one.  The connections open `ramp` seconds apart.
    """
    turn = 0

    async def loop(position: int) -> None:
        nonlocal turn
        await asyncio.sleep(position * ramp)
        connection: _Connection | None = None
        while not stop.is_set():
            index, turn = turn % len(requests), turn + 1
            started = time.monotonic()
            try:
                async with asyncio.timeout(timeout):
                    connection = connection or await _Connection.open(port)
                    status, body = await connection.exchange(requests[index])
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                status, body = 0, b""
                if connection is not None:
                    connection.close()
                connection = None
            record(Sample(index, started, time.monotonic() - started, status, _codes(body)))
            if status == 0:
                await asyncio.sleep(0.05)  # the server may be down: do not spin
        if connection is not None:
            connection.close()

    await asyncio.gather(*(loop(position) for position in range(concurrency)))


async def measure_throughput(port: int, request: bytes, *, concurrency: int, seconds: float, ramp: float = 0.0) -> float:
    """Requests per second with `concurrency` connections looping for `seconds`; raises unless all got 200.

    With several worker processes, give a `ramp` (see `generate_load`): connections opened at once may
    all be accepted by the worker that wakes first, while a worker busy with a connection is slow to
    accept the next one.
    """
    samples: list[Sample] = []
    started = time.perf_counter()
    await generate_load(port, [request], concurrency=concurrency, stop=stop_after(seconds), record=samples.append, ramp=ramp)
    elapsed = time.perf_counter() - started
    failed = [sample for sample in samples if sample.status != 200]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(samples)} requests failed, the first with HTTP {failed[0].status}")
    return len(samples) / elapsed
