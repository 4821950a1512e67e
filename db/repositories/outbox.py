"""The default SMS gateway: queue the message in the outbox table for a sender to deliver."""

from __future__ import annotations

from db.models.accounts import Notification


class OutboxSmsGateway:
    async def send(self, msisdn: str, kind: str, text: str) -> None:
        await Notification.create(msisdn=msisdn, kind=kind, text=text)


async def outbox_for(msisdn: str, limit: int = 50) -> list[Notification]:
    rows = await Notification.filter(msisdn=msisdn).order_by("-id").limit(limit)
    return rows
