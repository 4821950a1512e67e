"""Usage events as they arrive from mediation (GraphQL, CSV or JSONL): checked field by field
before anything is rated. A malformed event is refused with a reason; nothing is guessed."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.accounts import check_msisdn
from domain.calendar import add_months, as_utc, local, month_start
from domain.errors import DomainError, Problem
from domain.rating import DataCategory, Direction, UsageEvent, UsageKind

MAX_EVENTS_PER_CALL = 1000
DETAIL_MONTHS = 6  # the current and the previous 5 months are kept and queryable
RECHARGE_MONTHS = 24
FUTURE_SKEW = timedelta(minutes=5)

MAX_CALL_SECONDS = 24 * 3600
MAX_MESSAGES = 20  # a long SMS is split into at most this many parts
MAX_BYTES = 10 * 1024**3  # one data session record; larger is a mediation error
MAX_VALUE_ADDED_FEN = 100_000  # ¥1,000 for one value-added charge is not plausible
EVENT_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
COUNTERPARTY_RE = re.compile(r"^\+?\d{3,20}$")


def retention_start(now: datetime, months: int = DETAIL_MONTHS) -> datetime:
    """Start of the oldest cycle still kept: 00:00 on the 1st, `months - 1` cycles back."""
    here = local(now)
    return month_start(*add_months(here.year, here.month, -(months - 1)))


@dataclass(frozen=True)
class IncomingEvent:
    msisdn: str
    event: UsageEvent
    fingerprint: str


def _int(raw: Mapping[str, Any], key: str, field: str, problems: list[Problem]) -> int:
    value = raw.get(key)
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        problems.append(Problem("INVALID_EVENT", f"{key} must be a whole number.", field))
        return 0
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d+", value):
            problems.append(Problem("INVALID_EVENT", f"{key} must be a whole number.", field))
            return 0
        value = int(value)
    if not isinstance(value, int) or value < 0:
        problems.append(Problem("INVALID_EVENT", f"{key} must be a non-negative integer.", field))
        return 0
    return value


def _text(raw: Mapping[str, Any], key: str, limit: int = 64) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return value[:limit] or None


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


def _enum(enum: type, value: Any, default: Any = None) -> Any:
    if value is None or value == "":
        return default
    try:
        return enum(str(value).strip().upper())
    except ValueError:
        return None


def parse_event(raw: Mapping[str, Any], index: int, now: datetime) -> IncomingEvent:
    """One event from camelCase keys (eventId, msisdn, kind, occurredAt, direction, seconds,
    count, bytes, amountFen, category, counterparty, serviceName, location)."""
    problems: list[Problem] = []

    def f(name: str) -> str:
        return f"events.{index}.{name}"

    event_id = str(raw.get("eventId") or "").strip()
    if not EVENT_ID_RE.match(event_id):
        problems.append(
            Problem("INVALID_EVENT", "eventId is 1 to 64 letters, digits or ._:-", f("eventId"))
        )
    msisdn = ""
    try:
        msisdn = check_msisdn(str(raw.get("msisdn") or ""), f("msisdn"))
    except DomainError as error:
        problems.extend(error.problems)
    kind = _enum(UsageKind, raw.get("kind"))
    if kind is None:
        problems.append(
            Problem("INVALID_EVENT", f"kind is one of {', '.join(UsageKind)}.", f("kind"))
        )
    direction = _enum(Direction, raw.get("direction"), Direction.OUT)
    if direction is None:
        problems.append(Problem("INVALID_EVENT", "direction is OUT or IN.", f("direction")))
    occurred_at = _instant(raw.get("occurredAt"))
    if occurred_at is None:
        problems.append(
            Problem(
                "INVALID_EVENT", "occurredAt is an ISO 8601 instant with offset.", f("occurredAt")
            )
        )
    else:
        occurred_at = as_utc(occurred_at)
        if occurred_at > now + FUTURE_SKEW:
            problems.append(
                Problem("EVENT_IN_FUTURE", "occurredAt is in the future.", f("occurredAt"))
            )
        elif occurred_at < retention_start(now):
            problems.append(
                Problem(
                    "EVENT_TOO_OLD",
                    "Only the current and previous 5 months are rated.",
                    f("occurredAt"),
                )
            )
    seconds = _int(raw, "seconds", f("seconds"), problems)
    count = _int(raw, "count", f("count"), problems)
    size = _int(raw, "bytes", f("bytes"), problems)
    amount = _int(raw, "amountFen", f("amountFen"), problems)
    category = _enum(DataCategory, raw.get("category"), DataCategory.OTHER)
    counterparty = _text(raw, "counterparty", 24)
    service_name = _text(raw, "serviceName")
    location = _text(raw, "location", 32)
    roaming_zone = _text(raw, "roamingZone", 16)

    if kind in (UsageKind.VOICE, UsageKind.WLAN) and seconds > MAX_CALL_SECONDS:
        problems.append(Problem("INVALID_EVENT", "seconds is at most 86400.", f("seconds")))
    if kind in (UsageKind.VOICE, UsageKind.SMS, UsageKind.MMS) and (
        counterparty is None or not COUNTERPARTY_RE.match(counterparty)
    ):
        problems.append(
            Problem("INVALID_EVENT", "counterparty is the other party's number.", f("counterparty"))
        )
    if kind in (UsageKind.SMS, UsageKind.MMS) and not (1 <= count <= MAX_MESSAGES):
        problems.append(
            Problem("INVALID_EVENT", f"count is 1 to {MAX_MESSAGES} messages.", f("count"))
        )
    if kind is UsageKind.DATA:
        if size > MAX_BYTES:
            problems.append(Problem("INVALID_EVENT", "bytes is at most 10 GiB.", f("bytes")))
        if category is None:
            problems.append(
                Problem(
                    "INVALID_EVENT",
                    f"category is one of {', '.join(DataCategory)}.",
                    f("category"),
                )
            )
    if kind is UsageKind.VALUE_ADDED:
        if not (1 <= amount <= MAX_VALUE_ADDED_FEN):
            problems.append(
                Problem("INVALID_AMOUNT", "amountFen is 1 to 100000 fen.", f("amountFen"))
            )
        if service_name is None:
            problems.append(
                Problem("INVALID_EVENT", "serviceName names the service.", f("serviceName"))
            )
    if problems:
        raise DomainError(*problems)
    assert kind is not None and occurred_at is not None and direction is not None
    event = UsageEvent(
        event_id=event_id,
        kind=kind,
        occurred_at=occurred_at,
        direction=direction,
        seconds=seconds if kind in (UsageKind.VOICE, UsageKind.WLAN) else 0,
        count=count if kind in (UsageKind.SMS, UsageKind.MMS) else 0,
        bytes=size if kind in (UsageKind.DATA, UsageKind.WLAN) else 0,
        amount_fen=amount if kind is UsageKind.VALUE_ADDED else 0,
        category=(category or DataCategory.OTHER) if kind is UsageKind.DATA else None,
        counterparty=counterparty if kind not in (UsageKind.DATA, UsageKind.WLAN) else None,
        service_name=service_name,
        location=location,
        roaming_zone=roaming_zone.upper() if roaming_zone else None,
    )
    return IncomingEvent(msisdn=msisdn, event=event, fingerprint=fingerprint(msisdn, event))


def fingerprint(msisdn: str, event: UsageEvent) -> str:
    """What makes a redelivered event the same event; a reused id with other content differs."""
    parts = [
        msisdn,
        event.kind.value,
        as_utc(event.occurred_at).isoformat(),
        event.direction.value,
        str(event.seconds),
        str(event.count),
        str(event.bytes),
        str(event.amount_fen),
        event.category.value if event.category else "",
        event.counterparty or "",
        event.service_name or "",
        event.roaming_zone or "",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
