"""The SMS sender: claims due notices from the outbox (codes first) and hands each to the
SmsDeliveryGateway; a transient failure is retried with exponential backoff, a refusal or too many
tries marks the notice failed with the reason. Any number of senders may run at once (every
worker runs one): a claim gives each notice to one sender, and the gateway accepts a notice's
id once, so a sender that dies between "delivered" and "marked sent" does not cause a second SMS
when the claim lapses and another sender retries."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from db.models.accounts import Notification
from db.repositories import outbox
from domain.ports import SmsRejectedError, SmsTransientError
from domain.sms import SmsFailure, code_expired, retry_delay
from resolvers.context import Services

logger = logging.getLogger("telehall.sms")
WORKER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    backlog: int = 0

    def add(self, other: SendReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed

    def counts(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "backlog": self.backlog,
        }


async def _send_one(
    services: Services, notice: Notification, worker: str, report: SendReport
) -> None:
    settings = services.settings
    if code_expired(notice.kind, notice.queued_at, services.now(), settings.sms_code_seconds):
        await outbox.mark_failed(notice.id, worker, services.now(), SmsFailure.CODE_EXPIRED)
        report.failed += 1
        return
    gateway = services.sms_delivery
    assert gateway is not None
    try:
        await asyncio.wait_for(
            gateway.deliver(str(notice.id), notice.msisdn, notice.text),
            settings.sms_send_timeout_seconds,
        )
    except SmsRejectedError as refused:
        reason = f"{SmsFailure.REJECTED}:{refused.reason}"
        await outbox.mark_failed(notice.id, worker, services.now(), reason)
        report.failed += 1
    except (SmsTransientError, TimeoutError, OSError) as problem:
        reason = problem.reason if isinstance(problem, SmsTransientError) else "TIMEOUT"
        if notice.attempts >= settings.sms_max_attempts:
            final = f"{SmsFailure.RETRIES_EXHAUSTED}:{reason}"
            await outbox.mark_failed(notice.id, worker, services.now(), final)
            report.failed += 1
            return
        delay = retry_delay(
            notice.attempts, settings.sms_retry_base_seconds, settings.sms_retry_cap_seconds
        )
        after = getattr(problem, "retry_after_seconds", None)
        if after is not None:
            delay = max(delay, timedelta(seconds=after))
        await outbox.mark_retry(notice.id, worker, services.now() + delay, reason)
        report.retried += 1
    else:
        await outbox.mark_sent(notice.id, services.now())
        report.sent += 1


async def send_round(
    services: Services, now: datetime | None = None, worker: str = WORKER
) -> SendReport:
    """Claim one batch and send it, a few at a time."""
    settings = services.settings
    now = now or services.now()
    until = now + timedelta(seconds=settings.sms_claim_seconds)
    notices = await outbox.claim(worker, now, until, settings.sms_batch)
    report = SendReport()
    if not notices:
        return report
    gate = asyncio.Semaphore(settings.sms_concurrency)

    async def one(notice: Notification) -> None:
        async with gate:
            try:
                await _send_one(services, notice, worker, report)
            except Exception:  # a database hiccup: the claim lapses and a later round retries
                logger.exception("sending notice %s failed", notice.id)

    # codes were claimed first; start them first too
    await asyncio.gather(*(one(n) for n in notices))
    return report


async def drain(
    services: Services, now: datetime | None = None, max_rounds: int = 20, worker: str = WORKER
) -> SendReport:
    """Send rounds until nothing due is left (or `max_rounds`), then count the backlog."""
    total = SendReport()
    for _ in range(max_rounds):
        report = await send_round(services, now, worker)
        total.add(report)
        if report.sent + report.retried + report.failed == 0:
            break
    total.backlog = await outbox.backlog(services.now())
    return total
