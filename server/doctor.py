"""`telehall doctor`: settings, database and its migrations, Redis (reachable, eviction policy,
persistence), clock skew between this host and Redis, the jobs' last runs. Prints each finding
with its fix; exits 1 when anything is a PROBLEM."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import typer
from rich.console import Console

from domain.doctor import (
    Finding,
    Severity,
    cluster_finding,
    exit_code,
    job_findings,
    migrations_finding,
    redis_config_findings,
    sentinel_findings,
    settings_findings,
    skew_finding,
)
from server.settings import SettingsRefused

console = Console(soft_wrap=True)
TIMEOUT = 5.0
MARK = {
    Severity.OK: "[green]ok[/]",
    Severity.WARNING: "[yellow]warn[/]",
    Severity.PROBLEM: "[red]FAIL[/]",
}


async def _database(settings) -> list[Finding]:
    from db.lifecycle import close_database, database_reachable, open_database, pending_migrations
    from db.repositories import job_runs

    try:
        await asyncio.wait_for(open_database(settings.resolved_database_url, 2), TIMEOUT)
        await asyncio.wait_for(database_reachable(), TIMEOUT)
    except Exception as exc:
        return [
            Finding(
                "database",
                Severity.PROBLEM,
                f"unreachable: {type(exc).__name__}: {exc}"[:200],
                "check TELEHALL_DATABASE_URL, the network and the server",
            )
        ]
    try:
        found = [Finding("database", Severity.OK, "reachable")]
        pending = await pending_migrations()
        found.append(migrations_finding(pending))
        if not pending:
            latest = {name: run.status for name, run in (await job_runs.last_runs()).items()}
            found += job_findings(latest)
        return found
    finally:
        await close_database()


async def _redis(
    url: str, env: str, clock, clock_moved: bool, cluster: bool = False
) -> list[Finding]:
    from redis.exceptions import ResponseError

    from db.redis import SentinelMaster, WaitingRedisCluster, connect_redis

    redis = connect_redis(url, 2, cluster=cluster)
    try:
        found = await _sentinel(redis) if isinstance(redis, SentinelMaster) else []
        if any(f.severity is Severity.PROBLEM for f in found):
            return found
        try:
            await asyncio.wait_for(redis.ping(), TIMEOUT)
        except Exception as exc:
            return [
                *found,
                Finding(
                    "redis",
                    Severity.PROBLEM,
                    f"unreachable: {type(exc).__name__}: {exc}"[:200],
                    "check TELEHALL_REDIS_URL, the network and the server",
                ),
            ]
        found.append(Finding("redis", Severity.OK, "reachable"))
        if isinstance(redis, WaitingRedisCluster):
            found.append(cluster_finding(await redis.cluster_info()))
        try:
            config: dict[str, str] | None = {}
            for name in ("maxmemory-policy", "appendonly", "appendfsync", "save"):
                config.update(await redis.config_get(name))
        except ResponseError:  # CONFIG renamed or forbidden (managed Redis)
            config = None
        found += redis_config_findings(config, env)
        before = clock.now()
        seconds, micros = await redis.time()
        after = clock.now()
        redis_now = datetime.fromtimestamp(seconds + micros / 1e6, UTC)
        skew = (before + (after - before) / 2 - redis_now).total_seconds()
        found.append(skew_finding(skew, (after - before).total_seconds(), clock_moved))
        return found
    finally:
        await redis.aclose()


async def _sentinel(redis) -> list[Finding]:
    """Which master the sentinels name (the one this host would use), its replicas, and how
    many sentinels answer and watch it."""
    pool = redis.connection_pool
    name, sentinels = pool.service_name, pool.sentinel_manager.sentinels
    try:
        address = await asyncio.wait_for(redis.master_address(), TIMEOUT)
        error = ""
    except Exception as exc:
        address, error = None, f"{type(exc).__name__}: {exc}"
    answering, state = 0, {}
    for sentinel in sentinels:
        try:
            masters = await asyncio.wait_for(sentinel.sentinel_masters(), TIMEOUT)
        except Exception:
            continue
        answering += 1
        state = state or masters.get(name) or {}
    return sentinel_findings(
        name,
        address,
        error,
        int(state.get("num-slaves", 0)),
        answering,
        len(sentinels),
        int(state.get("num-other-sentinels", 0)) + 1,
    )


async def diagnose() -> list[Finding]:
    from pydantic import ValidationError

    from server.cli import clock, redis_url_of
    from server.settings import load_settings

    try:
        settings = load_settings()
    except ValidationError as error:
        first = error.errors()[0]
        return [
            Finding(
                "settings",
                Severity.PROBLEM,
                f"{'.'.join(map(str, first['loc'])) or 'settings'}: {first['msg']}",
                "fix the TELEHALL_ variable named here",
            )
        ]
    env = settings.env.value
    found = settings_findings(
        env,
        {"payment_secret": settings.payment_secret, "id_number_secret": settings.id_number_secret},
        settings.database_url,
        settings.redis_address,
        (settings.webauthn_rp_id, settings.webauthn_origin_list),
    )
    found += await _database(settings)
    url, embedded = redis_url_of(settings)
    try:
        found += await _redis(
            url, env, clock(), settings.clock_start is not None, settings.redis_cluster
        )
    finally:
        if embedded is not None:
            embedded.stop()
    return found


def doctor() -> None:
    """Check settings, database and migrations, Redis (eviction policy must be noeviction,
    persistence), clock skew with Redis and the jobs' last runs; exit 1 when something is wrong."""
    try:
        findings = asyncio.run(diagnose())
    except SettingsRefused as refused:  # e.g. prod without its secrets: nothing else can run
        console.print(f"{MARK[Severity.PROBLEM]} settings: {refused}")
        console.print("       fix: set the variables it names (docs/security.md, Secrets)")
        console.print("[red]problems found[/]")
        raise typer.Exit(1) from None
    for f in findings:
        console.print(f"{MARK[f.severity]} {f.check}: {f.detail}")
        if f.fix:
            console.print(f"       fix: {f.fix}")
    code = exit_code(findings)
    console.print("[red]problems found[/]" if code else "[green]no problems[/]")
    raise typer.Exit(code)
