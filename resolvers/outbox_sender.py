"""Sending an outbox: claim due rows, hand each to its gateway, and record the outcome. A
transient failure is retried with exponential backoff, a refusal or too many tries marks the row
failed with the reason. Any number of senders may run at once (every worker runs one): a claim
gives each row to one sender, and the gateway accepts a row's id once, so a sender that dies
between "delivered" and "marked sent" does not cause a second delivery when the claim lapses and
another sender retries. The SMS notices (resolvers/sms_sender.py) and the e-mails
(resolvers/email_sender.py) are two channels of this."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from db.repositories.outbox import OutboxTable
from domain.outbox import DeliveryFailure, retry_delay
from domain.ports import DeliveryRejectedError, TransientDeliveryError

logger = logging.getLogger("telehall.outbox")
Now = Callable[[], datetime]  # the hall's clock (Services.now)
WORKER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class SenderPolicy:
    batch: int
    concurrency: int
    claim_seconds: int
    timeout_seconds: float
    max_attempts: int
    retry_base_seconds: float
    retry_cap_seconds: float


class OutboxChannel(Protocol):
    """One outbox: its table, its policy, and how one of its rows is delivered."""

    table: OutboxTable
    policy: SenderPolicy

    def give_up_reason(self, row: Any, now: datetime) -> str | None:
        """Why a row should fail without a try (an SMS code too old to use), or None."""
        ...

    async def deliver(self, row: Any) -> None:
        """Raises TransientDeliveryError or DeliveryRejectedError."""
        ...


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
    channel: OutboxChannel, clock: Now, row: Any, worker: str, report: SendReport
) -> None:
    table, policy = channel.table, channel.policy
    reason = channel.give_up_reason(row, clock())
    if reason is not None:
        await table.mark_failed(row.id, worker, clock(), reason)
        report.failed += 1
        return
    try:
        await asyncio.wait_for(channel.deliver(row), policy.timeout_seconds)
    except DeliveryRejectedError as refused:
        await table.mark_failed(
            row.id, worker, clock(), f"{DeliveryFailure.REJECTED}:{refused.reason}"
        )
        report.failed += 1
    except (TransientDeliveryError, TimeoutError, OSError) as problem:
        why = problem.reason if isinstance(problem, TransientDeliveryError) else "TIMEOUT"
        if row.attempts >= policy.max_attempts:
            final = f"{DeliveryFailure.RETRIES_EXHAUSTED}:{why}"
            await table.mark_failed(row.id, worker, clock(), final)
            report.failed += 1
            return
        delay = retry_delay(row.attempts, policy.retry_base_seconds, policy.retry_cap_seconds)
        after = getattr(problem, "retry_after_seconds", None)
        if after is not None:
            delay = max(delay, timedelta(seconds=after))
        await table.mark_retry(row.id, worker, clock() + delay, why)
        report.retried += 1
    else:
        await table.mark_sent(row.id, clock())
        report.sent += 1


async def send_round(
    channel: OutboxChannel, clock: Now, now: datetime | None = None, worker: str = WORKER
) -> SendReport:
    """Claim one batch and send it, a few at a time (in claim order: priority first)."""
    policy = channel.policy
    now = now or clock()
    until = now + timedelta(seconds=policy.claim_seconds)
    rows = await channel.table.claim(worker, now, until, policy.batch)
    report = SendReport()
    if not rows:
        return report
    gate = asyncio.Semaphore(policy.concurrency)

    async def one(row: Any) -> None:
        async with gate:
            try:
                await _send_one(channel, clock, row, worker, report)
            except Exception:  # a database hiccup: the claim lapses and a later round retries
                logger.exception("sending outbox row %s failed", row.id)

    await asyncio.gather(*(one(r) for r in rows))
    return report


async def drain(
    channel: OutboxChannel,
    clock: Now,
    now: datetime | None = None,
    max_rounds: int = 20,
    worker: str = WORKER,
) -> SendReport:
    """Send rounds until nothing due is left (or `max_rounds`), then count the backlog."""
    total = SendReport()
    for _ in range(max_rounds):
        report = await send_round(channel, clock, now, worker)
        total.add(report)
        if report.sent + report.retried + report.failed == 0:
            break
    total.backlog = await channel.table.backlog(clock())
    return total
