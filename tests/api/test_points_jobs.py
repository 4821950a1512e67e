"""The expiry reminders (30 and 7 days before, each once) and the `telehall points` CLI."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tortoise.transactions import in_transaction

from db.models.accounts import Notification
from db.models.points import PointsLot
from db.repositories import points as points_repo
from domain.points.ledger import lot_expires_at
from resolvers.points import points_remind
from tests.api.test_bills_api import run_cli
from tests.conftest import make_ctx, subscribe


async def test_reminders_are_queued_30_and_7_days_before_once_each(services, clock):
    sub = await subscribe(services)
    async with in_transaction() as conn:
        await points_repo.earn(conn, sub.id, f"REMIND:{sub.id}", 500, clock.now())
    expiry = lot_expires_at(clock.now())
    ctx = make_ctx(services)

    async def reminders() -> int:
        return await Notification.filter(msisdn=sub.msisdn, kind="POINTS_EXPIRING").count()

    await points_remind(ctx, expiry - timedelta(days=31))
    assert await reminders() == 0
    await points_remind(ctx, expiry - timedelta(days=29))
    await points_remind(ctx, expiry - timedelta(days=28))
    assert await reminders() == 1
    await points_remind(ctx, expiry - timedelta(days=6))
    await points_remind(ctx, expiry - timedelta(days=5))
    assert await reminders() == 2
    text = (await Notification.filter(msisdn=sub.msisdn, kind="POINTS_EXPIRING").first()).text
    assert "500积分" in text


async def test_cli_points_expire_is_idempotent(settings, services, clock):
    sub = await subscribe(services)
    past = clock.now() - timedelta(days=800)
    async with in_transaction() as conn:
        await points_repo.earn(conn, sub.id, f"OLD:{sub.id}", 70, past)
    at = lot_expires_at(past).isoformat()
    done = await asyncio.to_thread(run_cli, settings, "points", "expire", "--at", at)
    assert done.returncode == 0, done.stderr + done.stdout
    lot = await PointsLot.get(subscriber_id=sub.id)
    assert (lot.remaining, lot.expired) == (0, 70)
    again = await asyncio.to_thread(run_cli, settings, "points", "expire", "--at", at)
    assert again.returncode == 0 and "0 lot(s), 0 point(s)" in again.stdout
    bad = await asyncio.to_thread(run_cli, settings, "points", "expire", "--at", "2026-12-31")
    assert bad.returncode == 2
    reminded = await asyncio.to_thread(run_cli, settings, "points", "remind")
    assert reminded.returncode == 0 and "reminder(s) queued" in reminded.stdout


async def test_jobs_are_plain_idempotent_functions(services, clock):
    from resolvers.points.jobs import commit_draw_seeds, expire_points, send_expiry_reminders

    sub = await subscribe(services)
    past = clock.now() - timedelta(days=800)
    async with in_transaction() as conn:
        await points_repo.earn(conn, sub.id, f"JOB:{sub.id}", 40, past)
    first = await expire_points(services, clock.now())
    assert first.lots_expired >= 1 and first.points_expired >= 40
    again = await expire_points(services, clock.now())
    assert (again.lots_expired, again.points_expired) == (0, 0)
    assert await send_expiry_reminders(services, clock.now()) >= 0
    assert await commit_draw_seeds(services, clock.now()) in (0, 1, 2)
    assert await commit_draw_seeds(services, clock.now()) == 0


def test_growth_rules_come_from_the_settings(settings):
    from resolvers import growth

    try:
        growth.configure(settings.model_copy(update={"growth_per_yuan_order": 3}))
        assert growth.rules().for_order(1000) == 30
    finally:
        growth.configure(settings)
    assert growth.rules().for_order(1000) == 10
