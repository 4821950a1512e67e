"""What `telehall doctor` judges: each finding says what is wrong and how to fix it. Pure rules
over facts the command gathers (settings, Redis CONFIG, clocks, migrations)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.relying_party import relying_party_problems

DEV_SECRETS = ("dev-payment-secret-change-me", "dev-id-number-secret-change-me")
MAX_SKEW_SECONDS = 1.0


class Severity(StrEnum):
    OK = "OK"
    WARNING = "WARNING"  # works, but not how production should run
    PROBLEM = "PROBLEM"  # wrong: doctor exits 1


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity
    detail: str
    fix: str = ""


def ok(check: str, detail: str) -> Finding:
    return Finding(check, Severity.OK, detail)


def settings_findings(
    env: str,
    secrets: dict[str, str],
    database_url: str | None,
    redis_url: str | None,
    relying_party: tuple[str, list[str]] | None = None,
) -> list[Finding]:
    """`relying_party` is the WebAuthn RP id and origins; None skips that check."""
    prod = env == "prod"
    bad = Severity.PROBLEM if prod else Severity.WARNING
    found = []
    for name, value in secrets.items():
        if value in DEV_SECRETS or len(value) < 16:
            found.append(
                Finding(
                    f"settings.{name}",
                    bad,
                    "the development default (or shorter than 16 characters)",
                    f"set TELEHALL_{name.upper()} to a long random secret (openssl rand -hex 32)",
                )
            )
    if not database_url or database_url.startswith("sqlite"):
        found.append(
            Finding(
                "settings.database_url",
                bad,
                "SQLite: one writer at a time, row locks ignored",
                "set TELEHALL_DATABASE_URL=postgres://user@host:5432/telehall",
            )
        )
    if not redis_url:
        found.append(
            Finding(
                "settings.redis_url",
                bad,
                "unset: each host would start its own embedded Redis",
                "set TELEHALL_REDIS_URL to the shared Redis (a Cluster node), or "
                "TELEHALL_REDIS_SENTINELS with TELEHALL_REDIS_SENTINEL_MASTER",
            )
        )
    for problem in relying_party_problems(*relying_party) if relying_party else ():
        found.append(
            Finding(
                "settings.webauthn",
                bad,
                problem,
                "set TELEHALL_WEBAUTHN_RP_ID and TELEHALL_WEBAUTHN_ORIGINS to the https site",
            )
        )
    return found or [ok("settings", f"env {env}: secrets, URLs and passkey relying party set")]


def redis_config_findings(config: dict[str, str] | None, env: str) -> list[Finding]:
    """From CONFIG GET maxmemory-policy appendonly appendfsync save."""
    if config is None:
        return [
            Finding(
                "redis.config",
                Severity.WARNING,
                "CONFIG GET is not allowed here (a managed Redis)",
                "check by hand: maxmemory-policy noeviction, appendonly yes, appendfsync everysec",
            )
        ]
    found = []
    policy = config.get("maxmemory-policy", "")
    if policy != "noeviction":
        found.append(
            Finding(
                "redis.maxmemory-policy",
                Severity.PROBLEM,
                f"{policy or 'unknown'}: Redis may evict sessions, stock and cap counters",
                "CONFIG SET maxmemory-policy noeviction (and in redis.conf), size maxmemory",
            )
        )
    else:
        found.append(ok("redis.maxmemory-policy", "noeviction"))
    aof = config.get("appendonly") == "yes"
    rdb = bool(config.get("save", "").strip())
    if not aof:
        found.append(
            Finding(
                "redis.appendonly",
                Severity.PROBLEM if env == "prod" else Severity.WARNING,
                "AOF off"
                + (": a restart loses up to the last snapshot" if rdb else ": a restart loses all"),
                "CONFIG SET appendonly yes, appendfsync everysec (and in redis.conf)",
            )
        )
    elif config.get("appendfsync") == "no":
        found.append(
            Finding(
                "redis.appendfsync",
                Severity.WARNING,
                "appendfsync no: the OS decides when writes reach the disk",
                "CONFIG SET appendfsync everysec (at most one second of writes at risk)",
            )
        )
    else:
        found.append(ok("redis.persistence", f"AOF on, appendfsync {config.get('appendfsync')}"))
    return found


def skew_finding(skew_seconds: float, round_trip_seconds: float, clock_moved: bool) -> Finding:
    """App clock minus Redis TIME. Flash sales decide by Redis TIME, sessions and holds by the
    app's clock: hosts that disagree by more than a second sell or expire at different times."""
    if clock_moved:
        return Finding(
            "clock.skew",
            Severity.WARNING,
            f"TELEHALL_CLOCK_START moves the hall's clock ({skew_seconds:+.0f} s from Redis)",
            "unset TELEHALL_CLOCK_START outside a demo",
        )
    allowed = MAX_SKEW_SECONDS + round_trip_seconds
    if abs(skew_seconds) > allowed:
        return Finding(
            "clock.skew",
            Severity.PROBLEM,
            f"this host and Redis differ by {skew_seconds:+.3f} s",
            "run chrony/NTP on every app host and on the Redis host",
        )
    return ok(
        "clock.skew", f"{skew_seconds:+.3f} s (round trip {round_trip_seconds * 1000:.0f} ms)"
    )


def migrations_finding(pending: list[str]) -> Finding:
    if pending:
        return Finding(
            "database.migrations",
            Severity.PROBLEM,
            f"{len(pending)} not applied: {', '.join(pending)}",
            "run telehall migrate",
        )
    return ok("database.migrations", "all applied")


def job_findings(latest: dict[str, str]) -> list[Finding]:
    """The latest run's status per job name."""
    failing = sorted(name for name, status in latest.items() if status == "FAILED")
    if failing:
        return [
            Finding(
                "jobs",
                Severity.WARNING,
                f"last run failed: {', '.join(failing)}",
                "read the error in `telehall jobs list` / jobRuns, fix, `telehall jobs run NAME`",
            )
        ]
    return [ok("jobs", f"{len(latest)} job(s) ran, none failing")]


def sentinel_findings(
    master: str,
    address: tuple[str, int] | None,
    error: str,
    replicas: int,
    sentinels_answering: int,
    sentinels_configured: int,
    sentinels_seen: int,
) -> list[Finding]:
    """What the sentinels said about the master group (`sentinels_seen`: the sentinels that
    monitor it, as one of them counts them)."""
    if address is None:
        return [
            Finding(
                "redis.sentinel",
                Severity.PROBLEM,
                f"no sentinel names a master for {master!r}: {error}"[:200],
                "check TELEHALL_REDIS_SENTINELS (host:port of running sentinels) and "
                "TELEHALL_REDIS_SENTINEL_MASTER (the name in their `sentinel monitor` line)",
            )
        ]
    host, port = address
    found = [
        ok(
            "redis.sentinel",
            f"master {master!r} at {host}:{port}, {replicas} replica(s), "
            f"{sentinels_answering} of {sentinels_configured} configured sentinel(s) answer",
        )
    ]
    if replicas == 0:
        found.append(
            Finding(
                "redis.sentinel.replicas",
                Severity.WARNING,
                "the master has no replica: a failover has nothing to promote",
                "run a replica (`replicaof <master> <port>`) on another host",
            )
        )
    if sentinels_answering < sentinels_configured:
        found.append(
            Finding(
                "redis.sentinel.reachable",
                Severity.WARNING,
                f"{sentinels_configured - sentinels_answering} configured sentinel(s) do not "
                "answer",
                "start them, or remove them from TELEHALL_REDIS_SENTINELS",
            )
        )
    if sentinels_seen < 3:
        found.append(
            Finding(
                "redis.sentinel.quorum",
                Severity.WARNING,
                f"{sentinels_seen} sentinel(s) watch {master!r}: with fewer than 3 on "
                "separate hosts, losing one host can leave no majority to authorise a failover",
                "run 3 (or 5) sentinels on separate hosts, quorum 2 (or 3)",
            )
        )
    return found


def cluster_finding(info: dict[str, str]) -> Finding:
    """CLUSTER INFO of the node the hall reached: every slot served, the cluster state ok."""
    state = str(info.get("cluster_state", "?"))
    slots = int(info.get("cluster_slots_ok", 0))
    masters = int(info.get("cluster_size", 0))
    if state != "ok" or slots != 16384:
        return Finding(
            "redis.cluster",
            Severity.PROBLEM,
            f"state {state}, {slots} of 16384 slots served, {masters} master(s)",
            "assign every slot (redis-cli --cluster fix) and bring failed masters back",
        )
    return ok("redis.cluster", f"state ok, 16384 slots served by {masters} master(s)")


def exit_code(findings: list[Finding]) -> int:
    return 1 if any(f.severity is Severity.PROBLEM for f in findings) else 0
