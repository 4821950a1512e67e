"""Shared helpers for the usage, billing and recharge tests."""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime, timedelta

from db.models.accounts import Subscriber
from domain.calendar import add_months, cycle_bounds, cycle_of, local
from tests.hall_clock import now as hall_now

_ids = itertools.count(1)
RUN = secrets.token_hex(3)

INGEST = """mutation($events: [UsageEventInput!]!) {
  usageIngest(events: $events) {
    rated duplicates rejected chargedFen
    results { eventId status chargeFen }
    userErrors { code field message } } }"""

RECHARGE = """mutation($input: RechargeCreateInput!) {
  rechargeCreate(input: $input) {
    payment { id status amountFen payableFen payUrl method channel msisdn providerTxnId }
    userErrors { code field message } } }"""

BALANCE = "{ me { status balance { amountFen creditLimitFen } } }"


def event_id(prefix: str = "ev") -> str:
    return f"{prefix}-{RUN}-{next(_ids)}"


def this_cycle(now: datetime | None = None) -> str:
    return cycle_of(now or hall_now())


def prev_cycle(now: datetime | None = None, back: int = 1) -> str:
    here = local(now or hall_now())
    y, m = add_months(here.year, here.month, -back)
    return f"{y:04d}-{m:02d}"


def in_cycle(cycle: str, hours: float = 60) -> datetime:
    """An instant inside `cycle`, `hours` after its start, never in the future."""
    start, end = cycle_bounds(cycle)
    at = start + timedelta(hours=hours)
    now = hall_now()
    if at >= now:
        at = start + (now - start) / 2
    return min(at, end - timedelta(seconds=1))


def now_in_cycle() -> datetime:
    start, _ = cycle_bounds(this_cycle())
    now = hall_now()
    return max(start + (now - start) / 2, now - timedelta(minutes=30))


def voice(msisdn: str, seconds: int, at: datetime, **extra) -> dict:
    return {
        "eventId": extra.pop("eventId", event_id()),
        "msisdn": msisdn,
        "kind": "VOICE",
        "occurredAt": at.isoformat(),
        "seconds": seconds,
        "counterparty": "18611110001",
        **extra,
    }


def sms(msisdn: str, count: int, at: datetime, **extra) -> dict:
    return {
        "eventId": extra.pop("eventId", event_id()),
        "msisdn": msisdn,
        "kind": "SMS",
        "occurredAt": at.isoformat(),
        "count": count,
        "counterparty": "13800138000",
        **extra,
    }


def data(msisdn: str, size: int, at: datetime, category: str = "VIDEO", **extra) -> dict:
    return {
        "eventId": extra.pop("eventId", event_id()),
        "msisdn": msisdn,
        "kind": "DATA",
        "occurredAt": at.isoformat(),
        "bytes": size,
        "category": category,
        **extra,
    }


def value_added(msisdn: str, fen: int, at: datetime, name: str = "手机报", **extra) -> dict:
    return {
        "eventId": extra.pop("eventId", event_id()),
        "msisdn": msisdn,
        "kind": "VALUE_ADDED",
        "occurredAt": at.isoformat(),
        "amountFen": fen,
        "serviceName": name,
        **extra,
    }


async def backdate(subscriber_id: int, ended_cycles: int = 2) -> None:
    """Make a test subscriber older: joined mid-cycle `ended_cycles` cycles ago, so exactly that
    many ended cycles were in service (whatever day of the month it is)."""
    start, _ = cycle_bounds(prev_cycle(back=ended_cycles))
    await Subscriber.filter(id=subscriber_id).update(joined_at=start + timedelta(days=10))


async def balance_of(subscriber_id: int) -> int:
    return (await Subscriber.get(id=subscriber_id)).balance_fen


def key() -> str:
    return f"k-{RUN}-{next(_ids)}"
