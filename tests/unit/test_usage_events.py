from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError
from domain.rating import DataCategory, UsageKind
from domain.usage import parse_event, retention_start

NOW = datetime(2026, 11, 22, 4, tzinfo=UTC)
OK = {
    "eventId": "e-1",
    "msisdn": "18600000001",
    "kind": "DATA",
    "occurredAt": (NOW - timedelta(hours=1)).isoformat(),
    "bytes": 2048,
    "category": "video",
}


def problems(raw: dict) -> list[tuple[str, str]]:
    with pytest.raises(DomainError) as caught:
        parse_event(raw, 7, NOW)
    return [(p.code, p.field) for p in caught.value.problems]


def test_a_good_event():
    incoming = parse_event(OK, 0, NOW)
    assert incoming.msisdn == "18600000001"
    assert incoming.event.kind is UsageKind.DATA and incoming.event.category is DataCategory.VIDEO
    assert parse_event(OK, 0, NOW).fingerprint == incoming.fingerprint
    assert parse_event({**OK, "bytes": 2049}, 0, NOW).fingerprint != incoming.fingerprint


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"eventId": ""}, ("INVALID_EVENT", "events.7.eventId")),
        ({"eventId": "x" * 65}, ("INVALID_EVENT", "events.7.eventId")),
        ({"msisdn": "12345"}, ("INVALID_MSISDN", "events.7.msisdn")),
        ({"kind": "FAX"}, ("INVALID_EVENT", "events.7.kind")),
        ({"occurredAt": "yesterday"}, ("INVALID_EVENT", "events.7.occurredAt")),
        ({"occurredAt": "2026-11-22T10:00:00"}, ("INVALID_EVENT", "events.7.occurredAt")),
        (
            {"occurredAt": (NOW + timedelta(hours=1)).isoformat()},
            ("EVENT_IN_FUTURE", "events.7.occurredAt"),
        ),
        ({"occurredAt": "2026-05-31T15:59:59+00:00"}, ("EVENT_TOO_OLD", "events.7.occurredAt")),
        ({"bytes": -1}, ("INVALID_EVENT", "events.7.bytes")),
        ({"bytes": "12a"}, ("INVALID_EVENT", "events.7.bytes")),
        ({"bytes": 11 * 1024**3}, ("INVALID_EVENT", "events.7.bytes")),
        ({"category": "PORN"}, ("INVALID_EVENT", "events.7.category")),
        (
            {"kind": "VOICE", "seconds": 90_000, "counterparty": "10086"},
            ("INVALID_EVENT", "events.7.seconds"),
        ),
        ({"kind": "VOICE", "seconds": 60}, ("INVALID_EVENT", "events.7.counterparty")),
        ({"kind": "SMS", "count": 0, "counterparty": "10086"}, ("INVALID_EVENT", "events.7.count")),
        (
            {"kind": "VALUE_ADDED", "amountFen": 0, "serviceName": "x"},
            ("INVALID_AMOUNT", "events.7.amountFen"),
        ),
        (
            {"kind": "VALUE_ADDED", "amountFen": 10**7, "serviceName": "x"},
            ("INVALID_AMOUNT", "events.7.amountFen"),
        ),
        ({"kind": "VALUE_ADDED", "amountFen": 300}, ("INVALID_EVENT", "events.7.serviceName")),
        ({"direction": "SIDEWAYS"}, ("INVALID_EVENT", "events.7.direction")),
    ],
)
def test_malformed_events_are_refused_with_a_reason(change, expected):
    assert expected in problems({**OK, **change})


def test_retention_starts_five_cycles_back():
    # 2026-11-22 → the oldest kept cycle is 2026-06 (00:00 Shanghai on 1 June)
    assert retention_start(NOW) == datetime(2026, 5, 31, 16, tzinfo=UTC)
