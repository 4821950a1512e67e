"""One adaptor per scheduled job: call the use case, report its counts. No decisions here: each
use case is the one its CLI command runs, and each is idempotent."""

from __future__ import annotations

import logging
from datetime import timedelta

from db.models.payments import AutoRecharge
from db.repositories import job_runs
from db.repositories import payments as payments_repo
from db.repositories.plan_changes import apply_due_changes
from domain.billing import previous_cycles
from domain.jobs import JobOutcome
from resolvers import (
    cap_sweeper,
    device_payments,
    email_sender,
    inbox_push,
    notify_fanout,
    number_holds,
    shared_plans,
    sms_sender,
)
from resolvers.billing import billing_close as close_cycle
from resolvers.jobs.context import JobContext
from resolvers.payments import maybe_auto_recharge
from resolvers.points import jobs as points_jobs

logger = logging.getLogger("telehall.jobs")
AUTO_RECHARGE_BATCH = 200


async def plan_changes(job: JobContext) -> JobOutcome:
    return JobOutcome({"applied": await apply_due_changes(job.now)})


async def shared_main_changes(job: JobContext) -> JobOutcome:
    run = await shared_plans.run_scheduled(job.now)
    return JobOutcome({"mainChanges": run.main_changes, "groupsDissolved": run.dissolved})


async def billing_close(job: JobContext) -> JobOutcome:
    """The cycle before the slot's (a run late on the 2nd still closes last month)."""
    (cycle,) = previous_cycles(job.scheduled_for, 1)
    run = await close_cycle(job.request(), cycle, now=job.now)
    return JobOutcome(
        {
            "billsIssued": run.bills_issued,
            "alreadyBilled": run.already_billed,
            "totalFen": run.total_fen,
        }
    )


async def campaign_caps_sweep(job: JobContext) -> JobOutcome:
    report = await cap_sweeper.sweep(job.services, job.now)
    return JobOutcome(
        {
            "holdsExpired": report.expired,
            "ordersExpired": report.orders_expired,
            "lateConfirmed": report.late_confirmed,
            "released": report.released,
        }
    )


async def number_holds_reap(job: JobContext) -> JobOutcome:
    reaped = await number_holds.reap_expired(job.services)
    return JobOutcome({"unpaidOrders": reaped.unpaid_orders, "returned": reaped.numbers})


async def auto_recharge(job: JobContext) -> JobOutcome:
    """Accounts whose balance sits below their threshold with no top-up under way (a top-up is
    also started at once when a charge drops the balance: this catches what that missed)."""
    expired = await payments_repo.expire_stale(job.now)
    started = failed = 0
    last_id = 0
    ctx = job.request()
    while True:
        rows = (
            await AutoRecharge.filter(enabled=True, id__gt=last_id)
            .select_related("subscriber")
            .order_by("id")
            .limit(AUTO_RECHARGE_BATCH)
        )
        for row in rows:
            balance = row.subscriber.balance_fen
            if balance >= row.threshold_fen:
                continue
            try:
                payment = await maybe_auto_recharge(ctx, row.subscriber.id, balance, job.now)
            except Exception:  # one account's provider error must not stop the others
                logger.exception("auto-recharge of subscriber %s failed", row.subscriber.id)
                failed += 1
                continue
            started += payment is not None
        if len(rows) < AUTO_RECHARGE_BATCH:
            break
        last_id = rows[-1].id
    return JobOutcome({"started": started, "failed": failed, "paymentsExpired": expired})


async def points_expire(job: JobContext) -> JobOutcome:
    run = await points_jobs.expire_points(job.services, job.now)
    return JobOutcome({"lotsExpired": run.lots_expired, "pointsExpired": run.points_expired})


async def points_remind(job: JobContext) -> JobOutcome:
    return JobOutcome({"queued": await points_jobs.send_expiry_reminders(job.services, job.now)})


async def device_payments_expire(job: JobContext) -> JobOutcome:
    window = timedelta(minutes=job.services.settings.device_payment_minutes)
    return JobOutcome(
        {"returned": await device_payments.expire_unpaid(job.services, job.now, window)}
    )


async def points_mall_unpaid(job: JobContext) -> JobOutcome:
    returned = await points_jobs.expire_unpaid_redemptions(job.services, job.now)
    return JobOutcome({"returned": returned})


async def lucky_draw_seeds(job: JobContext) -> JobOutcome:
    return JobOutcome({"committed": await points_jobs.commit_draw_seeds(job.services, job.now)})


async def sms_outbox(job: JobContext) -> JobOutcome:
    report = await sms_sender.drain(job.services, job.now)
    return JobOutcome(report.counts())


async def email_outbox(job: JobContext) -> JobOutcome:
    report = await email_sender.drain(job.services, job.now)
    return JobOutcome(report.counts())


async def job_runs_prune(job: JobContext) -> JobOutcome:
    days = job.services.settings.jobs_history_days
    return JobOutcome({"deleted": await job_runs.prune(job.now - timedelta(days=days))})


async def inbox_push_due(job: JobContext) -> JobOutcome:
    """Publish inbox notices whose delivery (after quiet hours) has come."""
    return JobOutcome({"published": await inbox_push.publish_due(job.services, job.now)})


async def notify_fan_out(job: JobContext) -> JobOutcome:
    """Announce what went live, then fan announcements out to interested subscribers."""
    announced = await notify_fanout.announce_due(job.now)
    counts = await notify_fanout.fan_out(job.services, job.now)
    return JobOutcome({"announced": announced, **counts})
