"""Every registered job runs through the runner and reports its counts (the adaptors call the use
cases they name); auto-recharge tops up an account left below its threshold; billing close takes
the cycle before its slot."""

from __future__ import annotations

from datetime import datetime

from db.models.accounts import Subscriber
from db.models.payments import Payment
from domain.calendar import SHANGHAI
from domain.jobs import JobRunStatus
from domain.payments import PaymentMethod, PaymentTrigger
from resolvers.jobs.context import JobContext
from resolvers.jobs.registry import JOBS
from resolvers.jobs.runner import JobRunner
from resolvers.payments import auto_recharge_set
from tests.conftest import make_ctx, subscribe

EXPECTED = {
    "plan-changes": {"applied"},
    "shared-main-changes": {"mainChanges", "groupsDissolved"},
    "campaign-caps-sweep": {"holdsExpired", "ordersExpired", "lateConfirmed", "released"},
    "number-holds-reap": {"unpaidOrders", "returned"},
    "auto-recharge": {"started", "failed", "paymentsExpired"},
    "points-expire": {"lotsExpired", "pointsExpired"},
    "points-remind": {"queued"},
    "points-mall-unpaid": {"returned"},
    "device-payments-expire": {"returned"},
    "lucky-draw-seeds": {"committed"},
    "sms-outbox": {"sent", "retried", "failed", "backlog"},
    "email-outbox": {"sent", "retried", "failed", "backlog"},
    "job-runs-prune": {"deleted"},
    "inbox-push": {"published"},
    "notify-fanout": {"announced", "batches", "considered", "notified", "finished"},
}


async def test_every_job_but_billing_runs_now_and_reports(services) -> None:
    assert set(JOBS) == set(EXPECTED) | {"billing-close"}
    runner = JobRunner(services)
    for name, counts in EXPECTED.items():
        run = await runner.run_now(name)
        assert run.status is JobRunStatus.SUCCEEDED, (name, run.error)
        assert set(run.counts) == counts, name


async def test_billing_close_bills_the_cycle_before_its_slot(services, clock) -> None:
    slot = datetime(2001, 2, 1, 1, 0, tzinfo=SHANGHAI)  # nobody was in service in 2001-01
    outcome = await JOBS["billing-close"].run(JobContext(services, slot, services.now()))
    assert outcome.counts == {"billsIssued": 0, "alreadyBilled": 0, "totalFen": 0}


async def test_auto_recharge_tops_up_an_account_below_its_threshold(services) -> None:
    sub = await subscribe(services, balance_fen=500)
    await auto_recharge_set(make_ctx(services), sub.id, 2_000, 5_000, PaymentMethod.WECHAT)
    run = await JobRunner(services).run_now("auto-recharge")
    assert run.counts["started"] >= 1
    (payment,) = await Payment.filter(subscriber_id=sub.id, trigger=PaymentTrigger.AUTO)
    assert payment.amount_fen == 5_000
    assert (await Subscriber.get(id=sub.id)).balance_fen == 5_500  # auto-debit completes
    again = await JobRunner(services).run_now("auto-recharge")
    assert again.status is JobRunStatus.SUCCEEDED
    assert await Payment.filter(subscriber_id=sub.id, trigger=PaymentTrigger.AUTO).count() == 1
