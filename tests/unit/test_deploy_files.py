"""The deployment files: docker-compose.yml is valid for `docker compose config` (or the older
`docker-compose config`) where one is installed, refuses to render without its secrets, and
holds what docs/deploy.md promises (two app containers, the job runner, Redis AOF everysec with
noeviction, PostgreSQL, health checks). The Dockerfile, which no test can build without a
daemon, is checked as far as a file can be: its COPY sources and its commands."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import tomllib
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


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    joined, current = [], ""
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            joined.append(current.strip())
            current = ""
    return [(i.split(None, 1)[0].upper(), i.split(None, 1)[1]) for i in joined]


def ignored_by_docker(path: str) -> bool:
    patterns = [
        p.strip()
        for p in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if p.strip() and not p.startswith("#")
    ]
    return any(
        fnmatch.fnmatch(path, p.removeprefix("**/")) or path.split("/")[0] == p for p in patterns
    )


def test_every_copy_source_is_in_the_build_context():
    """Without a daemon no build runs here: at least every file the image copies exists, is
    not excluded by .dockerignore, and the copied packages are the ones pyproject installs."""
    copied = []
    for instruction, args in dockerfile_instructions():
        if instruction != "COPY" or args.startswith("--from="):
            continue
        *sources, _target = args.split()
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
            assert not ignored_by_docker(source), f"COPY {source}: excluded by .dockerignore"
            copied.append(source)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    assert packages <= set(copied), f"packages not copied into the image: {packages - set(copied)}"
    top_level = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {
        "tests",
        "bench",
    }
    assert top_level <= packages, f"packages pyproject does not install: {top_level - packages}"


def test_the_image_and_the_stack_run_real_commands():
    """CMD and every compose `command` name a `telehall` subcommand that exists, the console
    script `telehall` is the CLI, and the HEALTHCHECK asks a route the app serves."""
    from typer.testing import CliRunner

    from server.cli import app
    from server.health import health_routes

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["telehall"] == "server.cli:app"
    instructions = dockerfile_instructions()
    (cmd,) = [json.loads(args) for instruction, args in instructions if instruction == "CMD"]
    stack = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    commands = [cmd, *(s["command"] for s in stack["services"].values() if "command" in s)]
    assert ["telehall", "migrate"] in commands and ["telehall", "jobs", "worker"] in commands
    runner = CliRunner()
    for command in (c for c in commands if c[0] == "telehall"):
        done = runner.invoke(app, [*command[1:], "--help"])
        assert done.exit_code == 0, (command, done.output)
    (health,) = [args for instruction, args in instructions if instruction == "HEALTHCHECK"]
    path = health.split("http://127.0.0.1:8000", 1)[1].split("'", 1)[0]
    assert path in {route.path for route in health_routes()}
