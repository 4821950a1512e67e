"""The benchmarks' load generator: pre-encoded HTTP/1.1 requests over N keep-alive connections,
a bare client. A full-featured one (httpx with a pool of 32) costs more CPU per request than the
server on a small machine, so it measured itself: `{ __typename }` at 300 req/s while the worker
could answer several times that."""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import time
from collections.abc import Iterable
from typing import Any


def encode(
    payload: Any = None, token: str | None = None, method: str = "POST", path: str = "/graphql"
) -> bytes:
    """One request: a JSON body (POST) or none (GET), with a bearer token when given."""
    body = b"" if payload is None else json.dumps(payload).encode()
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    kind = "Content-Type: application/json\r\n" if body else ""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{kind}{auth}"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def fire(
    port: int, requests: Iterable[tuple[Any, bytes]], concurrency: int, pause_gc: bool = True
) -> tuple[float, list[float], list[tuple[Any, int, bytes]]]:
    """Send each (tag, request) once over `concurrency` connections (a generator may decide as
    it goes, e.g. stop); the seconds it took, each answer's latency in milliseconds, and
    (tag, status, body) per answer, in answer order. `pause_gc=False` when this process does
    measured work of its own meanwhile (its collections are part of that work)."""
    latencies: list[float] = []
    answers: list[tuple[Any, int, bytes]] = []
    queue = iter(requests)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for tag, raw in queue:
                t = time.perf_counter()
                writer.write(raw)
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                status = int(lines[0].split()[1])
                length = next(
                    int(line.split(b":")[1]) for line in lines
                    if line.lower().startswith(b"content-length")
                )  # fmt: skip
                body = await reader.readexactly(length)
                latencies.append((time.perf_counter() - t) * 1000)
                answers.append((tag, status, body))
        finally:
            writer.close()

    # the client's own garbage collections would show as the server's tail: none while measuring
    paused = pause_gc and gc.isenabled()
    if paused:
        gc.collect()
        gc.disable()
    try:
        started = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, answers
    finally:
        if paused:
            gc.enable()


def port_in_use(port: int) -> bool:
    """Another server there would answer the benchmark's requests in its place."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
