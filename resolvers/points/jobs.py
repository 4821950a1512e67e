"""The points jobs, as plain async functions a job runner schedules (and the CLI calls): each
takes the services and the instant, is idempotent (a second run at the same instant does
nothing more) and returns what it did.

- `expire_points`: the year-end expiry (due at 00:00 on 1 January, Asia/Shanghai), in batches;
- `send_expiry_reminders`: the SMS reminders N days before points expire (each once);
- `expire_unpaid_redemptions`: points + cash redemptions whose payment window passed;
- `commit_draw_seeds`: today's and tomorrow's lucky-draw seed commitments, published early.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from db.models.points import PointsReminder
from db.repositories import points as repo
from domain.calendar import as_utc, local
from domain.points.ledger import reminders_due
from resolvers import lucky_draw, mall_payments
from resolvers.context import Services
from resolvers.points import ExpiryRun, points_expire


async def expire_points(
    services: Services, now: datetime, progress: Callable[[int], None] | None = None
) -> ExpiryRun:
    """Expire every lot due at `now`; `lots_expired` / `points_expired` count what moved."""
    settings = services.settings
    return await points_expire(
        now,
        progress=progress,
        batch=settings.points_expiry_batch_accounts,
        parallel=settings.points_expiry_parallel,
    )


async def send_expiry_reminders(services: Services, now: datetime) -> int:
    """Queue the reminders due at `now` (TELEHALL_POINTS_REMINDER_DAYS before expiry), once
    per (subscriber, expiry instant, days before): the unique reminder row decides. Returns the
    SMS queued."""
    now = as_utc(now)
    days = tuple(services.settings.points_reminder_days)
    if not days:
        return 0
    lookahead = timedelta(days=max(days) + 1)
    queued = 0
    for subscriber_id, msisdn, expires_at, points in await repo.expiring_soon(now, now + lookahead):
        fresh = []
        for before in reminders_due(expires_at, now, days):
            try:
                await PointsReminder.create(
                    subscriber_id=subscriber_id,
                    expires_at=expires_at,
                    days_before=before,
                    points=points,
                    queued_at=now,
                )
                fresh.append(before)
            except IntegrityError:
                continue
        if fresh:
            day = local(expires_at - timedelta(seconds=1))
            await services.sms.send(
                msisdn,
                "POINTS_EXPIRING",
                f"您有{points}积分将于{day.year}年{day.month}月{day.day}日24时到期清零，"
                "请及时到积分商城兑换。",
                at=now,
            )
            queued += 1
    return queued


async def expire_unpaid_redemptions(services: Services, now: datetime) -> int:
    """Give back the points + cash redemptions not paid within TELEHALL_POINTS_MALL_PAYMENT_MINUTES;
    returns how many were given back."""
    window = timedelta(minutes=services.settings.points_mall_payment_minutes)
    return await mall_payments.expire_unpaid(services, now, window)


async def commit_draw_seeds(services: Services, now: datetime) -> int:
    """Commit (publish the sha256 of) today's and tomorrow's lucky-draw seeds before any draw;
    returns how many were new."""
    return await lucky_draw.commit_seeds(services, now)
