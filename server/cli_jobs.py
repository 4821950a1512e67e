"""`telehall jobs list | run NAME | worker`: the scheduled jobs from the command line."""

from __future__ import annotations

import asyncio
import signal

import typer
from rich.console import Console
from rich.table import Table

from domain.calendar import local

jobs_app = typer.Typer(
    help="Scheduled jobs: list, run one now, run the worker.", no_args_is_help=True
)
console = Console()


def _counts(counts: dict[str, int] | None) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted((counts or {}).items())) or "-"


async def _list() -> list[tuple]:
    from db.repositories import job_runs
    from resolvers.jobs.registry import JOBS
    from server.cli import clock, database

    now = clock().now()
    async with database():
        last = await job_runs.last_runs()
    rows = []
    for spec in JOBS.values():
        run = last.get(spec.name)
        fire = spec.schedule.next_fire(now)
        rows.append(
            (
                spec.name,
                spec.schedule.cron,
                local(fire).strftime("%Y-%m-%d %H:%M") if fire else "-",
                f"{run.status} {local(run.started_at):%m-%d %H:%M}" if run else "never",
                _counts(run.counts) if run else "",
                spec.about,
            )
        )
    return rows


@jobs_app.command("list")
def jobs_list() -> None:
    """Every scheduled job: its schedule (Asia/Shanghai), next run and last run."""
    table = Table("job", "cron (Shanghai)", "next", "last run", "counts", "what it does")
    for row in asyncio.run(_list()):
        table.add_row(*row)
    console.print(table)


async def _run(name: str):
    from resolvers.jobs.runner import JobRunner
    from server.cli import services_context

    async with services_context() as services:
        return await JobRunner(services).run_now(name)


@jobs_app.command("run")
def jobs_run(name: str = typer.Argument(..., help="A job name from `telehall jobs list`.")) -> None:
    """Run one job now (recorded as a MANUAL run; waits for nothing else: if another runner
    holds the job's lease, says so and exits 1)."""
    from resolvers.jobs.registry import JOBS
    from resolvers.jobs.runner import LeaseHeld

    if name not in JOBS:
        console.print(f"[red]no job {name!r}[/]; jobs: {', '.join(JOBS)}")
        raise typer.Exit(2)
    try:
        run = asyncio.run(_run(name))
    except LeaseHeld:
        console.print(f"[yellow]{name} is running elsewhere right now; try again later[/]")
        raise typer.Exit(1) from None
    if run is None:
        console.print(f"[yellow]{name}: another runner recorded this run first[/]")
        raise typer.Exit(1)
    colour = "green" if run.status == "SUCCEEDED" else "red"
    console.print(f"[{colour}]{name} {run.status}[/] {_counts(run.counts)}")
    if run.error:
        console.print(f"[red]{run.error}[/]")
        raise typer.Exit(1)


async def _worker(send_sms: bool) -> None:
    from resolvers.jobs.worker import BackgroundWorker
    from server.resources import close_services, open_services
    from server.settings import load_settings

    settings = load_settings()
    services = await open_services(settings)
    worker = BackgroundWorker(
        services, settings.jobs_tick_seconds, settings.sms_send_seconds, send_sms=send_sms
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    worker.start()
    console.print(f"job runner started ({len(worker.runner.jobs)} jobs); SIGTERM stops it")
    try:
        await stop.wait()
        console.print("stopping after the current job…")
        await worker.stop(settings.shutdown_grace_seconds)
    finally:
        await close_services(services)
    console.print("job runner stopped")


@jobs_app.command("worker")
def jobs_worker(
    sms: bool = typer.Option(True, help="Also run the SMS sender in this process."),
) -> None:
    """Run the job runner (and the SMS sender) until SIGTERM; run one per host or several:
    each slot runs once across all of them. Needs TELEHALL_REDIS_URL (or the sentinels)."""
    asyncio.run(_worker(sms))
