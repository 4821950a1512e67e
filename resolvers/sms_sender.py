"""The SMS sender: the SMS outbox (`notification`, codes first) as a channel of
resolvers/outbox_sender.py, delivered through the SmsDeliveryGateway; a code too old to use is
failed instead of sent late."""

from __future__ import annotations

from datetime import datetime

from db.models.accounts import Notification
from db.repositories.outbox import SMS_OUTBOX
from domain.outbox import DeliveryFailure
from domain.sms import code_expired
from resolvers import outbox_sender
from resolvers.context import Services
from resolvers.outbox_sender import WORKER, SenderPolicy, SendReport


class SmsChannel:
    table = SMS_OUTBOX

    def __init__(self, services: Services) -> None:
        s = services.settings
        self.services = services
        self.policy = SenderPolicy(
            s.sms_batch,
            s.sms_concurrency,
            s.sms_claim_seconds,
            s.sms_send_timeout_seconds,
            s.sms_max_attempts,
            s.sms_retry_base_seconds,
            s.sms_retry_cap_seconds,
        )

    def give_up_reason(self, notice: Notification, now: datetime) -> str | None:
        life = self.services.settings.sms_code_seconds
        return (
            DeliveryFailure.CODE_EXPIRED
            if code_expired(notice.kind, notice.queued_at, now, life)
            else None
        )

    async def deliver(self, notice: Notification) -> None:
        gateway = self.services.sms_delivery
        assert gateway is not None
        await gateway.deliver(str(notice.id), notice.msisdn, notice.text)


async def send_round(
    services: Services, now: datetime | None = None, worker: str = WORKER
) -> SendReport:
    return await outbox_sender.send_round(SmsChannel(services), services.now, now, worker)


async def drain(
    services: Services, now: datetime | None = None, max_rounds: int = 20, worker: str = WORKER
) -> SendReport:
    """Send rounds until nothing due is left (or `max_rounds`), then count the backlog."""
    return await outbox_sender.drain(SmsChannel(services), services.now, now, max_rounds, worker)
