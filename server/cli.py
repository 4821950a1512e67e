"""`telehall` command line: serve, migrate, seed, export-schema, changes apply, promotions sweep."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import typer
import uvicorn
from rich.console import Console

from server.settings import load_settings

app = typer.Typer(
    help="Telehall, the online business hall backend.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
changes = typer.Typer(help="Scheduled plan and combo changes.", no_args_is_help=True)
app.add_typer(changes, name="changes")
promotions = typer.Typer(help="Promotions: campaign caps.", no_args_is_help=True)
app.add_typer(promotions, name="promotions")


async def _migrate(url: str) -> None:
    from db.lifecycle import apply_migrations

    await apply_migrations(url)


async def _seed(url: str) -> bool:
    from db.lifecycle import close_database, open_database
    from db.seed.demo import seed_demo
    from domain.hashing import SecretHasher

    settings = load_settings()
    await open_database(url, 2)
    try:
        return await seed_demo(SecretHasher(settings.argon2_time_cost, settings.argon2_memory_kib))
    finally:
        await close_database()


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(_migrate(settings.resolved_database_url))
    console.print("[green]migrations applied[/]")


@app.command()
def seed() -> None:
    """Seed the catalog and, on first run, the demo accounts."""
    from db.seed.demo import DEMO_TEXT

    settings = load_settings()
    if asyncio.run(_seed(settings.resolved_database_url)):
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
        seed()
    embedded = None
    if not settings.redis_url:
        from server.embedded_redis import EmbeddedRedis

        embedded = EmbeddedRedis(settings.data_dir / "redis")
        os.environ["TELEHALL_REDIS_URL"] = embedded.start()
        console.print(f"embedded Redis at {os.environ['TELEHALL_REDIS_URL']}")
    console.print(f"GraphQL at http://{settings.host}:{settings.port}/graphql")
    try:
        uvicorn.run(
            "server.asgi:app",
            host=settings.host,
            port=settings.port,
            workers=workers or settings.workers,
            log_level=settings.log_level,
            proxy_headers=True,
        )
    finally:
        if embedded:
            embedded.stop()


async def _apply_changes(url: str) -> int:
    from db.lifecycle import close_database, open_database
    from db.repositories.plan_changes import apply_due_changes
    from domain.calendar import utcnow

    await open_database(url, 2)
    try:
        return await apply_due_changes(utcnow())
    finally:
        await close_database()


@changes.command("apply")
def changes_apply() -> None:
    """Switch every subscriber whose scheduled plan or combo change is due (safe to run often;
    the hall also applies a due change lazily whenever it reads that subscriber's plan)."""
    settings = load_settings()
    applied = asyncio.run(_apply_changes(settings.resolved_database_url))
    console.print(f"{applied} change(s) applied")


async def _sweep(settings, redis_url: str):
    from db.lifecycle import close_database, open_database
    from domain.calendar import utcnow
    from resolvers.campaign_caps import sweep
    from server.resources import build_services

    await open_database(settings.resolved_database_url, 2)
    services = build_services(settings, redis_url)
    try:
        return await sweep(services, utcnow())
    finally:
        await services.stores.redis.aclose()
        await close_database()


@promotions.command("sweep")
def promotions_sweep() -> None:
    """Give back campaign-cap holds left unpaid past 15 minutes (their pending orders become
    EXPIRED) and finish giving back the units of superseded or cancelled orders. Safe to run
    often; order placement also expires lapsed holds lazily."""
    settings = load_settings()
    embedded = None
    redis_url = settings.redis_url
    if not redis_url:  # the embedded Redis of a running `telehall serve`, or a fresh one
        from server.embedded_redis import EmbeddedRedis

        embedded = EmbeddedRedis(settings.data_dir / "redis")
        redis_url = embedded.start()
    try:
        report = asyncio.run(_sweep(settings, redis_url))
    finally:
        if embedded:
            embedded.stop()
    console.print(
        f"{report.expired} hold(s) expired, {report.orders_expired} order(s) expired, "
        f"{report.late_confirmed} late confirmation(s), {report.released} release(s)"
    )


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
