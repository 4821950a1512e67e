"""The deployment files: docker-compose.yml is valid for `docker compose config` (or the older
`docker-compose config`) where one is installed, refuses to render without its secrets, and
holds what docs/deploy.md promises (two app containers, the job runner, Redis AOF everysec with
noeviction, PostgreSQL, health checks)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "POSTGRES_PASSWORD": "pg-test-secret",
    "TELEHALL_PAYMENT_SECRET": "pay-test-secret",
    "TELEHALL_ID_NUMBER_SECRET": "id-test-secret",
    "TELEHALL_LOG_HASH_SECRET": "log-test-secret",
    # not secrets, but prod refuses the localhost defaults: compose asks for them too
    "TELEHALL_WEBAUTHN_RP_ID": "hall.example.com",
    "TELEHALL_WEBAUTHN_ORIGINS": "https://hall.example.com",
}


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def run_config(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    env = {k: v for k, v in os.environ.items() if k not in SECRETS} | extra_env
    return subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_compose_config_passes():
    done = run_config(SECRETS)
    assert done.returncode == 0, done.stderr


def test_compose_refuses_to_render_without_its_secrets():
    done = run_config({})
    assert done.returncode != 0
    assert "POSTGRES_PASSWORD" in done.stderr or "TELEHALL_" in done.stderr


def test_the_stack_holds_what_the_guide_promises():
    stack = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = stack["services"]
    apps = [s for s in services.values() if s.get("command") == ["telehall", "serve"]]
    assert len(apps) == 2
    assert services["jobs"]["command"] == ["telehall", "jobs", "worker"]
    assert services["migrate"]["command"] == ["telehall", "migrate"]
    redis = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis and "--appendfsync everysec" in redis
    assert "--maxmemory-policy noeviction" in redis
    assert "postgres" in services and "lb" in services
    env = services["app1"]["environment"]
    assert env["TELEHALL_ENV"] == "prod" and "PROMETHEUS_MULTIPROC_DIR" in env
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "HEALTHCHECK" in dockerfile and "/readyz" in dockerfile
    assert "USER telehall" in dockerfile
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "location = /metrics { return 404; }" in nginx
