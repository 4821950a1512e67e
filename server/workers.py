"""`telehall serve --workers N`: N uvicorn processes, each listening on a socket of its own bound
with SO_REUSEPORT, so that the kernel spreads new connections evenly over the workers.

Why not uvicorn's own workers: they share one listening socket, and an asyncio server accepts
every pending connection each time it wakes (up to the backlog), so the worker that wakes first
takes a whole burst. Sixteen keep-alive connections opened together landed 16/0, 15/1, 14/2, …
between two workers (measured): one worker saturated while the other idled. With SO_REUSEPORT
each new connection is hashed to one of the listening sockets.

The parent binds the port first (SO_REUSEPORT too, but it never listens, so it is handed no
connection) so that a port in use, by anything or by another hall, fails at once; it restarts a
worker that dies and passes SIGTERM and SIGINT on: each worker stops accepting and finishes its
requests within the grace period. A worker that dies drops the connections waiting in its own
queue; new ones go to the others until it is back.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("telehall.workers")
_spawn = multiprocessing.get_context("spawn")


def listening_socket(host: str, port: int, shared: bool = True) -> socket.socket:
    """A socket bound to the address; `shared`: with SO_REUSEPORT, as every worker's."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _worker(options: dict[str, Any]) -> None:
    config = uvicorn.Config(**options)
    try:
        sock = listening_socket(config.host, config.port)
    except OSError as exc:
        log.error("worker cannot listen on %s:%s: %s", config.host, config.port, exc)
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:  # the app could not start (its lifespan failed): so would another
        sys.exit(STARTUP_FAILURE)


def serve_workers(count: int, **options: Any) -> int:
    """Run `count` workers of `uvicorn.Config(**options)` until SIGTERM or SIGINT; the exit
    status (non-zero when a worker could not start)."""
    try:
        # a second hall on this port would bind with SO_REUSEPORT too and silently take half the
        # connections: a plain bind first fails while any other socket listens there
        listening_socket(options["host"], options["port"], shared=False).close()
        reserved = listening_socket(options["host"], options["port"])
    except OSError as exc:
        log.error("cannot bind %s:%s: %s", options["host"], options["port"], exc)
        return STARTUP_FAILURE
    stop = threading.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in signals}

    def start() -> multiprocessing.process.BaseProcess:
        process = _spawn.Process(target=_worker, args=(options,), daemon=False)
        process.start()
        return process

    status = 0
    processes = [start() for _ in range(count)]
    try:
        while not stop.wait(0.5):
            for i, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("worker %s failed to start: stopping", process.pid)
                    status = STARTUP_FAILURE
                    stop.set()
                    break
                log.warning("worker %s died (exit %s): starting another", process.pid,
                            process.exitcode)  # fmt: skip
                processes[i] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        for process in processes:
            process.join()
        reserved.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
