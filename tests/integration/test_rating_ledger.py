"""Rating against a real database: the ledger agrees with the records, concurrent ingestion for
one subscriber never over-draws a bucket (proved on PostgreSQL), redelivery is a no-op."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise.functions import Sum

from db.models.ledger import BalanceEntry
from db.models.usage import AllowanceBucket, UsageRecord
from resolvers.usage import ingest
from tests.billing_helpers import balance_of, data, now_in_cycle, sms, voice
from tests.conftest import make_ctx, subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar

MB = 1024 * 1024


def _event(kind: str, amount: int, msisdn: str, offset: int) -> dict:
    at = now_in_cycle() - timedelta(seconds=offset)
    if kind == "VOICE":
        return voice(msisdn, amount, at)
    if kind == "SMS":
        return sms(msisdn, max(amount % 20, 1), at)
    return data(msisdn, amount * 10_000, at)


batch = st.lists(
    st.tuples(
        st.sampled_from(["VOICE", "SMS", "DATA"]),
        st.integers(0, 5_000),
        st.integers(0, 3_000),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(batch, min_size=1, max_size=3))
async def test_record_charges_equal_the_balance_drop(services, batches):
    sub = await subscribe(services, plan_id="4G-76", balance_fen=5_000)
    ctx = make_ctx(services)
    for events in batches:
        result = await ingest(ctx, [_event(k, a, sub.msisdn, o) for k, a, o in events])
        assert result.problems == []
    charged = (
        await UsageRecord.filter(subscriber_id=sub.id).annotate(s=Sum("charge_fen")).values("s")
    )[0]["s"] or 0
    assert await balance_of(sub.id) == 5_000 - charged
    ledger = await BalanceEntry.filter(subscriber_id=sub.id, reason="USAGE")
    assert -sum(e.delta_fen for e in ledger) == charged
    for bucket in await AllowanceBucket.filter(subscriber_id=sub.id):
        drawn = sum(
            d["amount"]
            for r in await UsageRecord.filter(subscriber_id=sub.id)
            for d in r.draws
            if d["bucketId"] == bucket.id
        )
        assert 0 <= bucket.used == drawn <= bucket.total


async def test_concurrent_ingestion_for_one_subscriber(services):
    """Ten callers rate data for one number at once (and one batch is sent five times): every
    event is rated once, the 400 MB bucket is drawn to exactly its total, never past it, and the
    overflow is charged exactly once."""
    sub = await subscribe(services, plan_id="4G-76", balance_fen=100_000)  # 400 MB of data
    ctx = make_ctx(services)
    at = now_in_cycle()
    batches = [
        [data(sub.msisdn, 10 * MB, at - timedelta(seconds=i * 10 + j)) for j in range(5)]
        for i in range(10)
    ]  # 500 MB in all
    repeated = batches[0]
    results = await asyncio.gather(
        *(ingest(ctx, b) for b in batches), *(ingest(ctx, repeated) for _ in range(4))
    )
    assert sum(r.rated for r in results) == 50
    assert sum(r.duplicates for r in results) == 20
    bucket = await AllowanceBucket.get(subscriber_id=sub.id, kind="DATA", source="PLAN")
    assert bucket.used == bucket.total == 400 * 1024
    assert await balance_of(sub.id) == 100_000 - 100 * 30  # 100 MB over at ¥0.30
    assert await UsageRecord.filter(subscriber_id=sub.id).count() == 50


async def test_late_event_draws_from_the_bucket_valid_then(services):
    """A pack valid only for the first days of the cycle pays for usage inside its window."""
    sub = await subscribe(services, plan_id="4G-76", balance_fen=0)
    ctx = make_ctx(services)
    now = hall_now()
    await ingest(ctx, [sms(sub.msisdn, 1, now_in_cycle())])  # creates the plan buckets
    start = now_in_cycle() - timedelta(hours=2)
    pack = await AllowanceBucket.create(
        subscriber_id=sub.id,
        kind="DATA",
        total=50 * 1024,
        source="PACK",
        source_id="test-pack",
        source_name="日包",
        valid_from=start,
        valid_until=start + timedelta(hours=1),
    )
    await ingest(ctx, [data(sub.msisdn, 20 * MB, start + timedelta(minutes=5))])
    record = await UsageRecord.filter(subscriber_id=sub.id, kind="DATA").first()
    assert record.draws[0]["source"] == "PACK" and record.draws[0]["amount"] == 20 * 1024
    await pack.refresh_from_db()
    assert pack.used == 20 * 1024
    assert now <= hall_now()
