from __future__ import annotations

from datetime import timedelta

import pytest

from db.models.usage import AllowanceBucket, UsageRecord
from domain.calendar import cycle_bounds
from tests.billing_helpers import (
    INGEST,
    balance_of,
    data,
    now_in_cycle,
    sms,
    this_cycle,
    value_added,
    voice,
)
from tests.conftest import subscribe

pytestmark = pytest.mark.calendar

ALLOWANCES = """{ me { allowances {
  kind unit total used remaining source sourceName validFrom validUntil } } }"""


async def test_ingest_rates_against_plan_and_balance(api, services, operator_token):
    sub = await subscribe(services, plan_id="4G-76", balance_fen=10_000)  # 200 min, 400 MB, 0 SMS
    at = now_in_cycle()
    events = [
        voice(sub.msisdn, 61, at),  # 2 minutes from the plan
        sms(sub.msisdn, 2, at),  # no SMS allowance: 2 × 10 fen
        data(sub.msisdn, 1024 * 1024 * 10, at),  # 10 MB from the plan
        value_added(sub.msisdn, 300, at),
    ]
    body = (await api.as_(operator_token).data(INGEST, events=events))["usageIngest"]
    assert body["userErrors"] == []
    assert (body["rated"], body["duplicates"], body["rejected"]) == (4, 0, 0)
    assert [r["chargeFen"] for r in body["results"]] == [0, 20, 0, 300]
    assert body["chargedFen"] == 320
    assert await balance_of(sub.id) == 10_000 - 320

    bars = (await api.as_(sub.token).data(ALLOWANCES))["me"]["allowances"]
    by_kind = {b["kind"]: b for b in bars}
    assert by_kind["VOICE"]["total"] == 200 and by_kind["VOICE"]["used"] == 2
    assert by_kind["VOICE"]["remaining"] == 198 and by_kind["VOICE"]["unit"] == "MIN"
    assert by_kind["DATA"] == {
        **by_kind["DATA"],
        "unit": "MB",
        "total": 400,
        "used": 10,
        "remaining": 390,
        "source": "PLAN",
        "sourceName": "4G全国套餐 76元",
    }
    start, _end = cycle_bounds(this_cycle())
    assert by_kind["DATA"]["validFrom"].startswith(start.isoformat()[:19])

    again = (await api.as_(operator_token).data(INGEST, events=events))["usageIngest"]
    assert (again["rated"], again["duplicates"]) == (0, 4)
    assert await balance_of(sub.id) == 10_000 - 320


RECORDS = """query($kind: UsageKind, $first: Int!, $after: String, $from: DateTime, $to: DateTime) {
  me { usageRecords(kind: $kind, first: $first, after: $after, from: $from, to: $to) {
    edges { cursor node { id kind occurredAt direction counterparty durationSeconds messages
      megabytes category serviceName location billedUnits overflowUnits chargeFen
      paidBy { source sourceName amount } } }
    nodes { id }
    pageInfo { hasNextPage endCursor } } } }"""


async def test_usage_records_connection_masks_and_pages(api, services, operator_token):
    sub = await subscribe(services, plan_id="4G-76", balance_fen=5_000)
    at = now_in_cycle()
    events = [
        voice(
            sub.msisdn, 125, at - timedelta(minutes=i), location="上海", counterparty="18600000001"
        )
        for i in range(5)
    ] + [sms(sub.msisdn, 1, at - timedelta(minutes=10)), data(sub.msisdn, 3_000_000, at)]
    events.append({**sms(sub.msisdn, 1, at - timedelta(minutes=11)), "kind": "MMS"})
    events.append(voice(sub.msisdn, 30, at - timedelta(hours=1), counterparty="10086"))
    events.append(value_added(sub.msisdn, 600, at - timedelta(hours=2), "视频彩铃"))
    await api.as_(operator_token).data(INGEST, events=events)
    me = api.as_(sub.token)

    first = (await me.data(RECORDS, kind="VOICE", first=2))["me"]["usageRecords"]
    assert first["pageInfo"]["hasNextPage"] is True
    nodes = [e["node"] for e in first["edges"]]
    assert [n["id"] for n in first["nodes"]] == [n["id"] for n in nodes]
    assert nodes[0]["counterparty"] == "186****0001"
    assert nodes[0]["durationSeconds"] == 125 and nodes[0]["billedUnits"] == 3
    assert nodes[0]["paidBy"] == [{"source": "PLAN", "sourceName": "4G全国套餐 76元", "amount": 3}]
    assert nodes[0]["chargeFen"] == 0 and nodes[0]["location"] == "上海"
    assert nodes[0]["occurredAt"] > nodes[1]["occurredAt"]
    seen = [n["id"] for n in nodes]
    after = first["pageInfo"]["endCursor"]
    while after:
        page = (await me.data(RECORDS, kind="VOICE", first=2, after=after))["me"]["usageRecords"]
        seen += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert len(seen) == len(set(seen)) == 6
    service = (await me.data(RECORDS, kind="VOICE", first=10))["me"]["usageRecords"]["edges"]
    assert service[-1]["node"]["counterparty"] == "10086"  # service numbers are not masked
    vas = (await me.data(RECORDS, kind="VALUE_ADDED", first=10))["me"]["usageRecords"]["edges"]
    assert [(e["node"]["serviceName"], e["node"]["chargeFen"]) for e in vas] == [("视频彩铃", 600)]

    messages = (await me.data(RECORDS, kind="SMS", first=10))["me"]["usageRecords"]["edges"]
    assert sorted(e["node"]["kind"] for e in messages) == ["MMS", "SMS"]
    mms = next(e["node"] for e in messages if e["node"]["kind"] == "MMS")
    assert mms["chargeFen"] == 30 and mms["paidBy"] == [] and mms["messages"] == 1
    only_data = (await me.data(RECORDS, kind="DATA", first=10))["me"]["usageRecords"]["edges"]
    assert only_data[0]["node"]["megabytes"] == round(3_000_000 / 1024 / 1024, 3)
    assert (
        only_data[0]["node"]["billedUnits"] == 2930 and only_data[0]["node"]["category"] == "VIDEO"
    )
    everything = (await me.data(RECORDS, first=100))["me"]["usageRecords"]["edges"]
    assert len(everything) == 10

    # a window outside retention is clamped (empty), a reversed one is refused
    old = await me.data(
        RECORDS, first=5, to="2020-01-01T00:00:00+00:00", **{"from": "2019-01-01T00:00:00+00:00"}
    )
    assert old["me"]["usageRecords"]["edges"] == []
    bad = await me(
        RECORDS, first=5, **{"from": "2026-10-02T00:00:00+00:00", "to": "2026-10-01T00:00:00+00:00"}
    )
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
    too_big = await me(RECORDS, first=101)  # refused before any work (GitHub's rule)
    assert too_big["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
    forged = await me(RECORDS, first=5, after="bm90LWEtY3Vyc29y")
    assert forged["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_detail_records_need_a_full_session(api, services):
    sub = await subscribe(services)
    limited = await api.as_(sub.limited_token)(RECORDS, first=5)
    assert limited["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    curve = await api.as_(sub.limited_token)("{ me { dataUsage { at } } }")
    assert curve["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bars = await api.as_(sub.limited_token).data(ALLOWANCES)
    assert {b["kind"] for b in bars["me"]["allowances"]} == {"DATA", "VOICE"}


CURVE = """query($g: Granularity!, $from: DateTime, $to: DateTime) {
  me { dataUsage(granularity: $g, from: $from, to: $to) {
    at kilobytes megabytes byCategory { category kilobytes megabytes } } } }"""


async def test_data_usage_hourly_and_daily(api, services, operator_token, clock):
    from domain.calendar import cycle_bounds, local

    # the 10th of this cycle at 16:00 Shanghai: a whole day around the usage, on any real date
    tenth = local(cycle_bounds(this_cycle())[0]) + timedelta(days=9)
    clock.set(tenth.replace(hour=12))
    sub = await subscribe(services, plan_id="4G-136")
    clock.set(tenth.replace(hour=16))
    hour = tenth.replace(hour=14, minute=5)
    mb = 1024 * 1024
    await api.as_(operator_token).data(
        INGEST,
        events=[
            data(sub.msisdn, 2 * mb, hour, "VIDEO"),
            data(sub.msisdn, 1 * mb, hour + timedelta(minutes=20), "SOCIAL"),
            data(sub.msisdn, 512 * 1024, hour + timedelta(minutes=30), "VIDEO"),
        ],
    )
    me = api.as_(sub.token)
    day_start = hour.replace(hour=0, minute=0)
    hourly = (
        await me.data(
            CURVE,
            g="HOUR",
            **{"from": day_start.isoformat(), "to": (day_start + timedelta(days=1)).isoformat()},
        )
    )["me"]["dataUsage"]
    assert len(hourly) == 24
    point = next(p for p in hourly if p["at"].startswith(hour.isoformat()[:13]))
    assert point["kilobytes"] == 3584 and point["megabytes"] == 3.5
    assert {c["category"]: c["kilobytes"] for c in point["byCategory"]} == {
        "VIDEO": 2560,
        "SOCIAL": 1024,
    }
    assert sum(p["kilobytes"] for p in hourly) == 3584
    assert hourly[0]["at"].endswith("+08:00")

    daily = (await me.data(CURVE, g="DAY"))["me"]["dataUsage"]  # the current cycle
    assert 28 <= len(daily) <= 31 and sum(p["kilobytes"] for p in daily) == 3584
    default_hourly = (await me.data(CURVE, g="HOUR"))["me"]["dataUsage"]
    assert len(default_hourly) == 24
    too_long = await me(
        CURVE,
        g="HOUR",
        **{"from": (tenth - timedelta(days=90)).isoformat(), "to": tenth.isoformat()},
    )
    assert too_long["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_ingest_bad_input(api, services, operator_token, subscriber):
    at = now_in_cycle()
    good = voice(subscriber.msisdn, 30, at)
    events = [
        good,
        {**good},  # same id twice in one call
        voice("13999999999", 30, at),  # not ours (unless a test made it: use an impossible one)
        {**voice(subscriber.msisdn, 30, at), "seconds": -5},
        data(subscriber.msisdn, 100, at, eventId="bad id with spaces"),
    ]
    events[2]["msisdn"] = "19999999990"
    body = (await api.as_(operator_token).data(INGEST, events=events))["usageIngest"]
    assert body["rated"] == 1 and body["rejected"] == 4
    codes = {(e["code"], e["field"]) for e in body["userErrors"]}
    assert ("DUPLICATE_EVENT_ID", "events.1.eventId") in codes
    assert ("NOT_FOUND", "events.2.msisdn") in codes
    assert ("INVALID_EVENT", "events.3.seconds") in codes
    assert ("INVALID_EVENT", "events.4.eventId") in codes
    assert [r["status"] for r in body["results"]] == ["RATED"] + ["REJECTED"] * 4

    reused = {**good, "seconds": 31}
    body = (await api.as_(operator_token).data(INGEST, events=[reused]))["usageIngest"]
    assert body["userErrors"][0]["code"] == "EVENT_ID_REUSED"

    too_many = [voice(subscriber.msisdn, 1, at) for _ in range(1001)]
    body = (await api.as_(operator_token).data(INGEST, events=too_many))["usageIngest"]
    assert body["userErrors"][0]["code"] == "TOO_MANY_EVENTS" and body["rated"] == 0

    # GraphQL-level validation: an unknown kind is a malformed request, not a 500
    raw = await api.as_(operator_token)(INGEST, events=[{**good, "kind": "FAX"}])
    assert (raw["errors"] and "data" not in raw) or raw.get("data") is None


async def test_ingest_needs_an_operator(api, subscriber, marketing_token):
    event = voice(subscriber.msisdn, 30, now_in_cycle())
    for token in (None, subscriber.token, marketing_token):
        body = await api.as_(token)(INGEST, events=[event])
        assert body["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "FORBIDDEN")
    assert not await UsageRecord.exists(event_id=event["eventId"])


async def test_closed_numbers_are_refused(api, services, operator_token):
    from db.models.accounts import Subscriber
    from domain.accounts import SubscriberStatus

    sub = await subscribe(services)
    await Subscriber.filter(id=sub.id).update(status=SubscriberStatus.CLOSED)
    body = (
        await api.as_(operator_token).data(INGEST, events=[voice(sub.msisdn, 30, now_in_cycle())])
    )["usageIngest"]
    assert body["userErrors"][0]["code"] == "ACCOUNT_CLOSED"


async def test_plan_buckets_are_created_once(services):
    import asyncio

    from db.models.accounts import Subscriber
    from db.repositories.allowances import ensure_plan_buckets

    sub = await subscribe(services, plan_id="4G-136")
    row = await Subscriber.get(id=sub.id)
    await asyncio.gather(*(ensure_plan_buckets(row, this_cycle()) for _ in range(10)))
    buckets = await AllowanceBucket.filter(subscriber_id=sub.id, source="PLAN")
    assert sorted(b.kind for b in buckets) == ["DATA", "VOICE"]  # the plan has no SMS allowance
    assert {b.total for b in buckets} == {1024 * 1024, 500}
