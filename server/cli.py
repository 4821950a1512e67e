"""`telehall` command line: serve, migrate, seed, export-schema, changes apply, usage import,
billing close, promotions sweep, flash reap / rebuild, numbers reap, points expire/remind,
jobs list/run/worker, doctor."""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

import typer
import uvicorn
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from domain.clock import Clock
from domain.money import yuan
from server.resources import make_clock
from server.settings import load_settings


@cache
def clock() -> Clock:
    """Every command reads business time from here (TELEHALL_CLOCK_START moves it, outside prod)."""
    return make_clock(load_settings())


app = typer.Typer(
    help="Telehall, the online business hall backend.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
changes = typer.Typer(help="Scheduled plan and combo changes.", no_args_is_help=True)
app.add_typer(changes, name="changes")


async def _migrate(url: str) -> None:
    from db.lifecycle import apply_migrations

    await apply_migrations(url)


@asynccontextmanager
async def _database(connections: int = 2):
    """The configured database, for commands that run outside the server."""
    from db.lifecycle import close_database, open_database

    await open_database(load_settings().resolved_database_url, connections)
    try:
        yield
    finally:
        await close_database()


def _redis_url(settings) -> tuple[str, object | None]:
    """TELEHALL_REDIS_URL (or the sentinels), else an embedded redis-server under the data dir
    (returned to stop)."""
    if settings.redis_address:
        return settings.redis_address, None
    from server.embedded_redis import EmbeddedRedis

    embedded = EmbeddedRedis(settings.data_dir / "redis")
    return embedded.start(), embedded


async def _catalog_changed(settings) -> None:
    """After a migration or a seed: running workers drop their cached catalog (an embedded
    Redis has no workers yet, they start with none cached)."""
    if not settings.redis_address:
        return
    from db.redis import connect_redis
    from db.stores.catalog_version import CatalogVersionStore

    redis = connect_redis(settings.redis_address, 2, settings.redis_cluster)
    try:
        await CatalogVersionStore(redis, settings.redis_prefix).bump()
    finally:
        await redis.aclose()


async def _seed() -> bool:
    from db.seed.demo import seed_demo
    from domain.hashing import SecretHasher

    settings = load_settings()
    async with _database():
        hasher = SecretHasher(settings.argon2_time_cost, settings.argon2_memory_kib)
        seeded = await seed_demo(hasher, clock().now())
    await _catalog_changed(settings)
    return seeded


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(_migrate(settings.resolved_database_url))
    asyncio.run(_catalog_changed(settings))
    console.print("[green]migrations applied[/]")


async def _seed_numbers(count: int) -> float:
    from db.seed.numbers import seed_numbers
    from domain.numbers.stocking import tier_terms

    terms = tier_terms(load_settings().number_tier_terms)
    async with _database():
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("stocking numbers", total=count)
            started = progress.get_time()
            await seed_numbers(count, lambda n: progress.advance(task, n), terms=terms)
            return progress.get_time() - started


@app.command()
def seed(
    numbers: int = typer.Option(0, min=0, max=5_000_000, help="Only stock this many numbers."),
) -> None:
    """Seed the catalog and, on first run, the demo accounts (`--numbers N`: the number pool)."""
    from db.seed.demo import DEMO_TEXT
    from server.settings import Env

    if numbers:
        elapsed = asyncio.run(_seed_numbers(numbers))
        console.print(f"stocked {numbers} numbers in {elapsed:.1f} s")
        return
    if load_settings().env is Env.PROD:
        # the demo accounts' passwords are published (README): never in prod
        console.print("refusing to seed the demo accounts in prod (their passwords are public)")
        raise typer.Exit(1)
    if asyncio.run(_seed()):
        typer.echo(DEMO_TEXT)
    else:
        console.print("demo data already present")


@app.command()
def serve(
    workers: int = typer.Option(None, help="Worker processes (default TELEHALL_WORKERS)."),
    setup: bool = typer.Option(False, help="Migrate and seed before serving (make run)."),
) -> None:
    """Serve the API; starts an embedded Redis when TELEHALL_REDIS_URL is unset."""
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if setup:
        migrate()
        seed(numbers=0)
        # make run: one process does it all, so the jobs and the SMS sender run in it
        os.environ.setdefault("TELEHALL_JOBS_IN_PROCESS", "true")
    redis_url, embedded = _redis_url(settings)
    if embedded is not None:
        # workers read their settings from the environment
        os.environ["TELEHALL_REDIS_URL"] = redis_url
        console.print(f"embedded Redis at {redis_url}")
    console.print(f"starting: GraphQL at http://{settings.host}:{settings.port}/graphql")
    from server.health import announce_when_ready

    announce_when_ready(settings.host, settings.port, console.print)
    from server.logs import configure_logging
    from server.metrics import reset_multiprocess_dir

    configure_logging(settings.log_level, settings.log_json)
    reset_multiprocess_dir()
    options = dict(
        app="server.asgi:app",
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # X-Forwarded-For is read by the app, only from TELEHALL_TRUSTED_PROXIES
        proxy_headers=False,
        # SIGTERM: stop accepting, let in-flight requests finish this long, then shut down
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        log_config=None,  # server/logs.py: JSON lines through the root logger
        access_log=False,  # the hall's own request line instead: it never logs a query string
    )
    count = workers or settings.workers
    try:
        if count > 1:
            from server.workers import serve_workers

            raise typer.Exit(serve_workers(count, **options))
        uvicorn.run(**options)
    finally:
        if embedded is not None:
            embedded.stop()


async def _apply_changes() -> int:
    from db.repositories.plan_changes import apply_due_changes

    async with _database():
        return await apply_due_changes(clock().now())


@changes.command("apply")
def changes_apply() -> None:
    """Switch every subscriber whose scheduled plan or combo change is due (safe to run often;
    the hall also applies a due change lazily whenever it reads that subscriber's plan)."""
    applied = asyncio.run(_apply_changes())
    console.print(f"{applied} change(s) applied")


usage_app = typer.Typer(help="Usage events: rating from mediation files.", no_args_is_help=True)
billing_app = typer.Typer(help="Billing runs.", no_args_is_help=True)
app.add_typer(usage_app, name="usage")
app.add_typer(billing_app, name="billing")
promotions_app = typer.Typer(help="Promotions: campaign caps.", no_args_is_help=True)
app.add_typer(promotions_app, name="promotions")
numbers_app = typer.Typer(help="Number selection: holds on the pool.", no_args_is_help=True)
app.add_typer(numbers_app, name="numbers")


@asynccontextmanager
async def _services():
    """Database, Redis (embedded when TELEHALL_REDIS_URL is unset) and the ports, for commands
    that run use cases outside the server."""
    from server.resources import build_services

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    redis_url, embedded = _redis_url(settings)
    try:
        async with _database(4):
            services = build_services(settings, redis_url, clock())
            try:
                yield services
            finally:
                await services.stores.redis.aclose()
    finally:
        if embedded is not None:
            embedded.stop()


async def _import_usage(path: Path, batch: int) -> dict[str, int]:
    from resolvers.context import RequestContext
    from resolvers.usage import count_lines, ingest, read_events

    totals = {"rated": 0, "duplicates": 0, "rejected": 0, "charged_fen": 0}
    problems: list[str] = []
    async with _services() as services:
        ctx = RequestContext(services=services, session=None, client_ip="cli")
        total = count_lines(path)
        offset = 0
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task(f"rating {path.name}", total=total)
            chunk: list[dict] = []

            async def flush() -> None:
                nonlocal offset
                result = await ingest(ctx, chunk)
                totals["rated"] += result.rated
                totals["duplicates"] += result.duplicates
                totals["rejected"] += result.rejected
                totals["charged_fen"] += result.charged_fen
                for p in result.problems:
                    if len(problems) < 20:
                        field = p.field or ""
                        if field.startswith("events."):
                            _, index, *rest = field.split(".")
                            field = ".".join([f"line {offset + int(index) + 1}", *rest])
                        problems.append(f"{p.code} {field}: {p.message}")
                offset += len(chunk)
                progress.advance(task, len(chunk))
                chunk.clear()

            for row in read_events(path):
                chunk.append(row)
                if len(chunk) >= batch:
                    await flush()
            if chunk:
                await flush()
    for line in problems:
        console.print(f"[yellow]{line}[/]")
    return totals


@usage_app.command("import")
def usage_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .jsonl file."),
    batch: int = typer.Option(1000, min=1, max=1000, help="Events per rating call."),
) -> None:
    """Rate the usage events of a CSV (header: eventId,msisdn,kind,occurredAt,direction,
    seconds,count,bytes,amountFen,category,counterparty,serviceName,location,roamingZone) or
    JSONL file.
    Idempotent by eventId: importing a file twice rates nothing the second time."""
    totals = asyncio.run(_import_usage(file, batch))
    console.print(
        f"rated {totals['rated']}, duplicates {totals['duplicates']}, "
        f"rejected {totals['rejected']}, charged {yuan(totals['charged_fen'])}"
    )
    if totals["rejected"]:
        raise typer.Exit(2)


async def _close(cycle: str, msisdn: str | None):
    from domain.billing import check_closable
    from domain.errors import fail
    from resolvers.billing import billing_close, check_cycle, count_billable
    from resolvers.context import RequestContext

    try:
        check_closable(check_cycle(cycle), clock().now())
    except ValueError as exc:
        raise fail("CYCLE_NOT_ENDED", f"{cycle} has not ended yet.", "cycle") from exc
    async with _services() as services:
        ctx = RequestContext(services=services, session=None, client_ip="cli")
        total = 1 if msisdn else await count_billable(cycle)
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            console=console,
        ) as progress:  # fmt: skip
            task = progress.add_task(f"billing {cycle}", total=total)
            return await billing_close(
                ctx, cycle, msisdn, progress=lambda n: progress.advance(task, n)
            )


@billing_app.command("close")
def billing_close_command(
    cycle: str = typer.Option(..., "--cycle", help="The ended cycle to bill, e.g. 2026-10."),
    msisdn: str = typer.Option(None, help="Only this number."),
) -> None:
    """Issue the cycle's bills and charge the monthly fees (safe to re-run)."""
    from domain.errors import DomainError

    try:
        run = asyncio.run(_close(cycle, msisdn))
    except DomainError as error:
        console.print(f"[red]{error.code}: {error.problems[0].message}[/]")
        raise typer.Exit(2) from None
    console.print(
        f"{run.cycle}: {run.bills_issued} bills issued ({yuan(run.total_fen)}), "
        f"{run.already_billed} already billed"
    )


async def _sweep():
    from resolvers.campaign_caps import sweep

    async with _services() as services:
        return await sweep(services, services.now())


async def _reap():
    from resolvers.number_holds import reap_expired

    async with _services() as services:
        return await reap_expired(services)


@numbers_app.command("reap")
def numbers_reap() -> None:
    """End number purchases left unpaid past the payment window (their per-ID quota comes
    back) and return numbers whose hold ran out to the pool (safe to run every minute;
    search and numberReserve already treat an expired hold as free)."""
    reaped = asyncio.run(_reap())
    console.print(
        f"{reaped.unpaid_orders} unpaid purchase(s) ended, {reaped.numbers} number(s) back in "
        "the pool"
    )


async def _flush_campaign_stats() -> int:
    from resolvers.promotions import flush_campaign_stats

    async with _database():
        total = 0
        while folded := await flush_campaign_stats():
            total += folded
        return total


@promotions_app.command("flush-stats")
def promotions_flush_stats() -> None:
    """Fold the campaigns' pending count changes (appended by orders, so no order transaction
    updates a campaign's one stats row) into the stats, in batches. The server does this every
    round; safe to run any time."""
    console.print(f"{asyncio.run(_flush_campaign_stats())} change(s) folded into campaign stats")


@promotions_app.command("sweep")
def promotions_sweep() -> None:
    """Give back campaign-cap holds left unpaid past 15 minutes (their pending orders become
    EXPIRED) and finish giving back the units of superseded or cancelled orders. Safe to run
    often; order placement also expires lapsed holds lazily."""
    report = asyncio.run(_sweep())
    console.print(
        f"{report.expired} hold(s) expired, {report.orders_expired} order(s) expired, "
        f"{report.late_confirmed} late confirmation(s), {report.released} release(s)"
    )


flash_app = typer.Typer(
    help="Flash sales: reaping unpaid units, rebuilding Redis.", no_args_is_help=True
)
app.add_typer(flash_app, name="flash")


async def _flash(action: str, sale_id: str | None = None):
    from resolvers.flash import loading, reap

    async with _services() as services:
        if action == "reap":
            return await reap.reap_round(services)
        return await loading.rebuild(services, sale_id)


@flash_app.command("reap")
def flash_reap() -> None:
    """Give back flash-sale units unpaid at their deadline (Redis and the database), flush the
    counted statistics and ask the provider again for refunds it did not answer (late payments
    are refunded when they arrive). The server does this every second; safe to run any time."""
    done = asyncio.run(_flash("reap"))
    console.print(
        f"{done.returned} reservation(s) returned to stock, {done.counted} answer(s) counted, "
        f"{done.refunds} refund(s) retried"
    )


@flash_app.command("rebuild")
def flash_rebuild(
    sale_id: str = typer.Argument(None, help="One sale (default: every live one)."),
) -> None:
    """Rebuild flash-sale stock in Redis from the database (after a failover promoted a replica
    that may have lost acknowledged writes)."""
    rebuilt = asyncio.run(_flash("rebuild", sale_id))
    console.print(f"{rebuilt} flash sale(s) rebuilt from the database")


CLI_STAFF_ID = 0  # retries from the command line: recorded as actor "cli:<login>"


async def _refunds(refund_id: str | None, key: str | None):
    import getpass

    from resolvers.flash import refunds

    async with _services() as services:
        if refund_id is None:
            return await refunds.refunds_pending(100, None)
        actor = f"cli:{getpass.getuser()}"
        return await refunds.refund_retry(services, refund_id, CLI_STAFF_ID, actor, key or "")


@flash_app.command("refunds")
def flash_refunds() -> None:
    """List the refunds of late flash-sale payments the provider refused or did not answer
    (newest 100; the GraphQL field flashRefundsPending pages through all)."""
    page = asyncio.run(_refunds(None, None))
    for r in page.nodes:
        console.print(
            f"{r.id}  {r.status:9}  {r.failure_code or '-':28}  {r.amount_fen} fen  "
            f"{r.msisdn or '-'}  payment {r.payment_id}  {r.created_at:%Y-%m-%d %H:%M}"
        )
    more = " (more: flashRefundsPending pages on)" if page.has_next_page else ""
    console.print(f"{len(page.nodes)} refund(s) not settled{more}")


@flash_app.command("refund-retry")
def flash_refund_retry(
    refund_id: str = typer.Argument(..., help="The refund's id (telehall flash refunds)."),
    key: str = typer.Option(..., help="Idempotency key: the same key asks the provider once."),
) -> None:
    """Ask the provider again for a refund it refused, under the refund's own id (it never pays
    twice); recorded with who asked and the answer, like the OPERATOR mutation."""
    from domain.errors import DomainError

    try:
        answer = asyncio.run(_refunds(refund_id, key))
    except DomainError as error:
        console.print(f"[red]{error.code}: {error.problems[0].message}[/]")
        raise typer.Exit(1) from None
    code = f" ({answer.refund.failure_code})" if answer.outcome == "REFUSED" else ""
    console.print(f"refund {answer.refund.id}: {answer.outcome}{code}")
    if answer.outcome != "SUCCEEDED":
        raise typer.Exit(1)


points_app = typer.Typer(help="Points: year-end expiry and expiry reminders.", no_args_is_help=True)
app.add_typer(points_app, name="points")


async def _expire(at):
    from resolvers.points.jobs import expire_points

    async with _services() as services:
        with Progress(
            TextColumn("[bold]{task.description}"), MofNCompleteColumn(), console=console
        ) as progress:  # fmt: skip
            task = progress.add_task("points accounts", total=None)
            return await expire_points(services, at, lambda n: progress.advance(task, n))


@points_app.command("expire")
def points_expire_command(
    at: str = typer.Option(
        None, "--at", help="ISO 8601 instant with offset, e.g. 2026-12-31T16:00:00Z (default now)."
    ),
) -> None:
    """Expire every points lot due at --at, in short batches (safe to re-run: a second run
    expires nothing)."""
    from datetime import datetime

    when = clock().now()
    if at:
        try:
            when = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            console.print("[red]--at must be ISO 8601, e.g. 2026-12-31T16:00:00Z[/]")
            raise typer.Exit(2) from None
        if when.tzinfo is None:
            console.print("[red]--at needs an offset (Z or +08:00)[/]")
            raise typer.Exit(2)
    run = asyncio.run(_expire(when))
    console.print(f"{run.lots_expired} lot(s), {run.points_expired} point(s) expired at {run.at}")


async def _remind():
    from resolvers.points.jobs import send_expiry_reminders

    async with _services() as services:
        return await send_expiry_reminders(services, services.now())


@points_app.command("remind")
def points_remind_command() -> None:
    """Queue the SMS reminders for points expiring in 30 and in 7 days (each once)."""
    console.print(f"{asyncio.run(_remind())} reminder(s) queued")


# public names for the command modules beside this one (server/cli_jobs.py, server/doctor.py)
database, services_context, redis_url_of = _database, _services, _redis_url

from server.cli_jobs import jobs_app  # noqa: E402  (the jobs commands use the helpers above)
from server.doctor import doctor  # noqa: E402

app.add_typer(jobs_app, name="jobs")
app.command("doctor")(doctor)


@app.command("export-schema")
def export_schema(
    path: Path = typer.Argument(Path("schema.graphql")),
    check: bool = typer.Option(False, help="Fail when the file differs from the code."),
) -> None:
    """Write the GraphQL SDL (or check the committed file is current)."""
    from schema.root import export_sdl

    sdl = export_sdl()
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != sdl:
            console.print(f"[red]{path} is out of date: run `make schema` and commit it[/]")
            raise typer.Exit(1)
        console.print(f"{path} is current")
        return
    path.write_text(sdl, encoding="utf-8")
    console.print(f"wrote {path}")


if __name__ == "__main__":
    app(sys.argv[1:])
