"""Tickets (TMF621 in spirit): the status machine and the promised resolution time."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import fail

DESCRIPTION_MAX = 2_000
MAX_ATTACHMENTS = 3


class TicketStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"


class TicketCategory(StrEnum):
    BILLING = "BILLING"
    RECHARGE = "RECHARGE"
    NETWORK = "NETWORK"
    ACCOUNT = "ACCOUNT"
    BUSINESS = "BUSINESS"
    COMPLAINT = "COMPLAINT"
    SUGGESTION = "SUGGESTION"
    OTHER = "OTHER"


NEXT: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.SUBMITTED: frozenset({TicketStatus.ACKNOWLEDGED, TicketStatus.REJECTED}),
    TicketStatus.ACKNOWLEDGED: frozenset({TicketStatus.IN_PROGRESS, TicketStatus.REJECTED}),
    TicketStatus.IN_PROGRESS: frozenset({TicketStatus.RESOLVED, TicketStatus.REJECTED}),
    # a customer who is not satisfied reopens a resolved ticket
    TicketStatus.RESOLVED: frozenset({TicketStatus.CLOSED, TicketStatus.IN_PROGRESS}),
    TicketStatus.CLOSED: frozenset(),
    TicketStatus.REJECTED: frozenset(),
}

# How long the hall promises to take, by category (network faults need a site visit).
PROMISE = {
    TicketCategory.NETWORK: timedelta(hours=72),
    TicketCategory.COMPLAINT: timedelta(hours=24),
}
DEFAULT_PROMISE = timedelta(hours=48)

STATUS_TEXT = {
    TicketStatus.SUBMITTED: "已受理登记",
    TicketStatus.ACKNOWLEDGED: "已确认，正在安排处理",
    TicketStatus.IN_PROGRESS: "正在处理",
    TicketStatus.RESOLVED: "已处理完成，如仍有问题可回复重新处理",
    TicketStatus.CLOSED: "已关闭",
    TicketStatus.REJECTED: "未予受理",
}


def promised_by(category: TicketCategory, at: datetime) -> datetime:
    return at + PROMISE.get(category, DEFAULT_PROMISE)


def check_description(text: str) -> str:
    text = text.strip()
    if not text:
        raise fail("INVALID_TICKET", "Describe the problem.", "description")
    if len(text) > DESCRIPTION_MAX:
        raise fail(
            "INVALID_TICKET",
            f"A description is at most {DESCRIPTION_MAX} characters.",
            "description",
        )
    return text


def check_transition(current: TicketStatus, target: TicketStatus) -> None:
    if target not in NEXT[current]:
        raise fail(
            "INVALID_TICKET_STATUS",
            f"A {current.value} ticket cannot become {target.value}.",
            "status",
        )
