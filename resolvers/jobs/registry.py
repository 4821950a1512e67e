"""The jobs of the business calendar: a name, a schedule and one function each.

This table is deliberately thin: each entry calls one use case that exists elsewhere (and that a
CLI command or a lazy path also calls), so re-pointing a job at a refactored function is a one-line
change here. Every function is idempotent: running a slot twice, or two slots back to back,
changes nothing the first run did not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from domain.jobs import JobOutcome
from resolvers.jobs import tasks
from resolvers.jobs.context import JobContext
from resolvers.jobs.schedule import Schedule

JobFunction = Callable[[JobContext], Awaitable[JobOutcome]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    schedule: Schedule
    run: JobFunction
    about: str


MINUTE = timedelta(minutes=5)  # a per-minute job missed for longer just runs at the next minute

JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in (
        # before plan-changes: a tick runs due jobs in this order, so the 1st's handovers are
        # done before a plan change of the same instant (which also applies them first itself)
        JobSpec(
            "shared-main-changes",
            Schedule("0 0 1 * *", timedelta(days=3)),
            tasks.shared_main_changes,
            "hand shared plans over to the main numbers scheduled for the 1st, end the groups "
            "of closed main numbers",
        ),
        JobSpec(
            "plan-changes",
            Schedule("0 0 1 * *", timedelta(days=3)),
            tasks.plan_changes,
            "switch plans and combos scheduled for 00:00 on the 1st (telehall changes apply)",
        ),
        JobSpec(
            "billing-close",
            # 01:00, not 00:00: the last minutes' usage records reach mediation a little late;
            # the catch-up keeps "bills issued by day 3" when the runner was down on the 1st
            Schedule("0 1 1 * *", timedelta(days=2, hours=22)),
            tasks.billing_close,
            "issue the previous cycle's bills and charge monthly fees (telehall billing close)",
        ),
        JobSpec(
            "campaign-caps-sweep",
            Schedule("* * * * *", MINUTE),
            tasks.campaign_caps_sweep,
            "give back lapsed campaign-cap holds, expire their orders (telehall promotions sweep)",
        ),
        # No flash-reap job: a flash sale's pay window is minutes and its stock is fought over,
        # so a unit must come back within a second of its deadline, finer than any cron slot.
        # The server reaps every TELEHALL_FLASH_REAP_SECONDS (server/app.py, one worker a round).
        JobSpec(
            "number-holds-reap",
            Schedule("* * * * *", MINUTE),
            tasks.number_holds_reap,
            "end unpaid number purchases, return lapsed holds to the pool (telehall numbers reap)",
        ),
        JobSpec(
            "auto-recharge",
            Schedule("*/10 * * * *", timedelta(minutes=30)),
            tasks.auto_recharge,
            "top up accounts below their auto-recharge threshold, expire stale payments",
        ),
        JobSpec(
            "points-expire",
            # 00:00 daily, so 1 January's run is at midnight; a run expires exactly what is due
            Schedule("0 0 * * *", timedelta(days=2)),
            tasks.points_expire,
            "expire the points lots that are due (telehall points expire)",
        ),
        JobSpec(
            "points-remind",
            Schedule("0 10 * * *", timedelta(hours=10)),  # 10:00, outside quiet hours
            tasks.points_remind,
            "queue the 30- and 7-day points expiry reminders (telehall points remind)",
        ),
        JobSpec(
            "device-payments-expire",
            Schedule("* * * * *", MINUTE),
            tasks.device_payments_expire,
            "give back the stock of devices not paid through the provider in time",
        ),
        JobSpec(
            "points-mall-unpaid",
            Schedule("* * * * *", MINUTE),
            tasks.points_mall_unpaid,
            "give back points + cash redemptions whose payment window passed",
        ),
        JobSpec(
            "lucky-draw-seeds",
            Schedule("0 * * * *", timedelta(hours=2)),
            tasks.lucky_draw_seeds,
            "publish the commitments of today's and tomorrow's lucky-draw seeds",
        ),
        JobSpec(
            "notify-fanout",
            Schedule("* * * * *", MINUTE),
            tasks.notify_fan_out,
            "announce campaigns, flash sales, mall items and festivals that went live to "
            "the subscribers interested (batches, daily cap, quiet hours)",
        ),
        JobSpec(
            "inbox-push",
            Schedule("* * * * *", MINUTE),
            tasks.inbox_push_due,
            "push inbox notices that quiet hours held back, now that they are due",
        ),
        JobSpec(
            "sms-outbox",
            Schedule("* * * * *", MINUTE),
            tasks.sms_outbox,
            "send what is due in the SMS outbox (the sender also runs every second)",
        ),
        JobSpec(
            "email-outbox",
            Schedule("* * * * *", MINUTE),
            tasks.email_outbox,
            "send what is due in the e-mail outbox (invoices to the addresses given)",
        ),
        JobSpec(
            "job-runs-prune",
            Schedule("30 3 * * *", timedelta(days=1)),
            tasks.job_runs_prune,
            "delete job-run records older than TELEHALL_JOBS_HISTORY_DAYS",
        ),
    )
}


def job(name: str) -> JobSpec | None:
    return JOBS.get(name)
