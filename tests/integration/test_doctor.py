"""`telehall doctor` against the test database and Redis (no problem: exit 0), and against a
Redis of its own that may evict keys and keeps no AOF (exit 1, with the fix printed); the rules
themselves without I/O."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from domain.doctor import (
    Severity,
    cluster_finding,
    exit_code,
    migrations_finding,
    redis_config_findings,
    settings_findings,
    skew_finding,
)
from server.embedded_redis import redis_server_binary


def run_doctor(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {"TELEHALL_ENV": "test"} | env_extra
    return subprocess.run(
        [sys.executable, "-m", "server", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_doctor_passes_on_the_test_setup(settings, services) -> None:
    done = run_doctor(
        {
            "TELEHALL_DATA_DIR": str(settings.data_dir),
            "TELEHALL_DATABASE_URL": settings.resolved_database_url,
            "TELEHALL_REDIS_URL": settings.redis_url,
        }
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok database.migrations: all applied" in done.stdout
    assert "ok redis.maxmemory-policy: noeviction" in done.stdout
    assert "clock.skew" in done.stdout and "no problems" in done.stdout


def test_doctor_fails_on_an_evicting_redis_and_says_how_to_fix_it(settings, services, tmp_path):
    sock = tmp_path / "r.sock"
    redis = subprocess.Popen(
        [
            redis_server_binary(),
            "--port", "0",
            "--unixsocket", str(sock),
            "--dir", str(tmp_path),
            "--save", "",
            "--appendonly", "no",
            "--maxmemory-policy", "allkeys-lru",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        done = None
        for _ in range(50):
            done = run_doctor(
                {
                    "TELEHALL_ENV": "prod",
                    # prod refuses to start on missing or published secrets
                    "TELEHALL_PAYMENT_SECRET": secrets.token_urlsafe(32),
                    "TELEHALL_ID_NUMBER_SECRET": secrets.token_urlsafe(32),
                    "TELEHALL_WEBAUTHN_RP_ID": "hall.example.com",
                    "TELEHALL_WEBAUTHN_ORIGINS": "https://hall.example.com",
                    "TELEHALL_DATA_DIR": str(settings.data_dir),
                    "TELEHALL_DATABASE_URL": settings.resolved_database_url,
                    "TELEHALL_REDIS_URL": f"unix://{sock}",
                }
            )
            if "redis: unreachable" not in done.stdout:
                break
        assert done.returncode == 1, done.stdout + done.stderr
        out = done.stdout
        assert "FAIL redis.maxmemory-policy: allkeys-lru" in out
        assert "CONFIG SET maxmemory-policy noeviction" in out
        assert "FAIL redis.appendonly: AOF off" in out  # prod: persistence is required
        assert "problems found" in out
        unset = run_doctor({"TELEHALL_ENV": "prod", "TELEHALL_DATA_DIR": str(settings.data_dir)})
        assert unset.returncode == 1  # prod with no secrets: said, not a traceback
        assert "FAIL settings: Telehall will not start" in unset.stdout
        assert "TELEHALL_PAYMENT_SECRET" in unset.stdout
    finally:
        redis.terminate()
        redis.wait(timeout=10)


def test_the_rules() -> None:
    good = {"maxmemory-policy": "noeviction", "appendonly": "yes", "appendfsync": "everysec"}
    assert {f.severity for f in redis_config_findings(good, "prod")} == {Severity.OK}
    evicting = redis_config_findings(good | {"maxmemory-policy": "volatile-lru"}, "dev")
    assert exit_code(evicting) == 1
    no_aof = redis_config_findings(good | {"appendonly": "no"}, "dev")
    assert exit_code(no_aof) == 0 and Severity.WARNING in {f.severity for f in no_aof}
    assert exit_code(redis_config_findings(good | {"appendonly": "no"}, "prod")) == 1
    assert redis_config_findings(None, "prod")[0].severity is Severity.WARNING
    assert skew_finding(0.2, 0.001, False).severity is Severity.OK
    assert skew_finding(-2.5, 0.001, False).severity is Severity.PROBLEM
    assert skew_finding(86_400, 0.001, True).severity is Severity.WARNING
    assert migrations_finding(["0009_jobs"]).severity is Severity.PROBLEM
    served = {"cluster_state": "ok", "cluster_slots_ok": 16384, "cluster_size": 3}
    assert cluster_finding(served).severity is Severity.OK
    assert cluster_finding(served | {"cluster_state": "fail"}).severity is Severity.PROBLEM
    assert cluster_finding(served | {"cluster_slots_ok": 16383}).severity is Severity.PROBLEM
    secrets = {"payment_secret": "x" * 40}
    assert exit_code(settings_findings("prod", secrets, "postgres://h/db", "redis://r")) == 0
    assert exit_code(settings_findings("prod", secrets, None, "redis://r")) == 1
    assert exit_code(settings_findings("dev", {"payment_secret": "short"}, None, None)) == 0
