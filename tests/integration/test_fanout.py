"""Fan-out: one notice per interested, eligible subscriber, at most the daily cap per Shanghai
delivery day, deferred past quiet hours, in batches; checked against a plain model over random
subscribers, audiences, caps, batch sizes and clocks (Hypothesis, real DB)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.models.accounts import Notification, Subscriber
from db.models.engage import FanOut, InboxNotification, NotifyPreference, SubscriberInterest
from domain.accounts import SubscriberStatus
from domain.calendar import SHANGHAI
from domain.notify import Topic
from domain.promotions.model import Audience, Segment
from resolvers.notify_fanout import announce, fan_out
from tests import hall_clock
from tests.conftest import subscribe

TOPIC = Topic.DATA_PACKS

person = st.fixed_dictionaries(
    {
        "interested": st.sampled_from([True, True, True, False]),
        "other_topic": st.booleans(),
        "sms": st.booleans(),
        "app": st.booleans(),
        "new": st.booleans(),
        "quiet": st.one_of(st.none(), st.tuples(st.integers(0, 1439), st.integers(0, 1439))),
        "prior_vs_cap": st.sampled_from([-2, -1, 0, 0, 1]),  # prior pushes that day, around the cap
        "prior_on_other_day": st.integers(0, 4),
        # confirmations that day (ACCOUNT notices): never counted towards the marketing cap
        "confirmations": st.integers(0, 3),
        "suspended": st.sampled_from([False, False, False, True]),  # arrears: no marketing
    }
)


def quiet_at(start: int, end: int, t: datetime) -> bool:
    local = t.astimezone(SHANGHAI)
    m = local.hour * 60 + local.minute
    if start == end:
        return False
    return start <= m < end if start < end else (m >= start or m < end)


def expected_delivery(start: int, end: int, at: datetime) -> datetime:
    """The spec, by brute force: now, or the first whole minute after that is not quiet."""
    if not quiet_at(start, end, at):
        return at
    t = at.replace(second=0, microsecond=0)
    while True:
        t += timedelta(minutes=1)
        if not quiet_at(start, end, t):
            return t


def day_start(t: datetime) -> datetime:
    local = t.astimezone(SHANGHAI)
    return datetime(local.year, local.month, local.day, tzinfo=SHANGHAI).astimezone(UTC)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(person, min_size=1, max_size=5),
    segment=st.sampled_from([Segment.ANY, Segment.NEW, Segment.EXISTING]),
    cap=st.integers(0, 3),
    batch=st.integers(1, 3),
    minute=st.integers(0, 2 * 1440),
    second=st.integers(0, 59),
)
async def test_fan_out_matches_the_model(services, people, segment, cap, batch, minute, second):
    base = day_start(hall_clock.now())
    at = base + timedelta(minutes=minute, seconds=second)
    worker = dataclasses.replace(
        services,
        settings=services.settings.model_copy(
            update={"notify_daily_cap": cap, "notify_batch": batch}
        ),
    )
    made = []
    for p in people:
        p["prior_on_delivery_day"] = max(0, cap + p["prior_vs_cap"])
        sub = await subscribe(services)
        joined = at - timedelta(days=3 if p["new"] else 400)
        status = SubscriberStatus.SUSPENDED if p["suspended"] else SubscriberStatus.ACTIVE
        await Subscriber.filter(id=sub.id).update(joined_at=joined, status=status)
        start, end = p["quiet"] if p["quiet"] is not None else (22 * 60, 8 * 60)
        if p["quiet"] is not None:
            await NotifyPreference.create(
                subscriber_id=sub.id, quiet_start_minute=start, quiet_end_minute=end
            )
        if p["interested"] and (p["sms"] or p["app"]):
            await SubscriberInterest.create(
                subscriber_id=sub.id, topic=TOPIC.value, sms=p["sms"], app=p["app"]
            )
        if p["other_topic"]:
            await SubscriberInterest.create(subscriber_id=sub.id, topic=Topic.ROAMING.value)
        deliver = expected_delivery(start, end, at)
        other_day = day_start(deliver) + (
            timedelta(days=-1) if day_start(deliver) > day_start(at) else timedelta(days=1)
        )
        for n in range(p["prior_on_delivery_day"]):
            await prior(sub.id, day_start(deliver) + timedelta(hours=12), n)
        for n in range(p["prior_on_other_day"]):
            await prior(sub.id, other_day + timedelta(hours=12), 100 + n)
        for n in range(p["confirmations"]):
            await prior(sub.id, day_start(deliver) + timedelta(hours=13), 200 + n, "ACCOUNT")
        made.append((sub, p, deliver))

    source = f"TEST-FANOUT:{uuid.uuid4().hex}"
    await announce(source, TOPIC, "周末流量包", "10GB只要10元", at, audience=Audience(segment))
    await fan_out(worker, at)
    assert (await FanOut.get(source=source)).finished_at is not None

    for sub, p, deliver in made:
        rows = await InboxNotification.filter(subscriber_id=sub.id, source=source)
        eligible = not p["suspended"] and (
            segment is Segment.ANY or (segment is Segment.NEW) == p["new"]
        )
        wants = p["interested"] and (p["sms"] or p["app"])
        under_cap = p["prior_on_delivery_day"] < cap
        if not (wants and eligible and under_cap):
            assert rows == [], (p, segment, cap)
            continue
        assert len(rows) == 1, (p, segment, cap)
        (row,) = rows
        assert row.deliver_at == deliver
        assert row.sms == p["sms"]
        texts = await Notification.filter(msisdn=sub.msisdn, kind=f"PUSH_{TOPIC.value}")
        assert len(texts) == (1 if p["sms"] else 0)
        if p["sms"]:
            due = texts[0].next_attempt_at
            assert (due is None and deliver == at) or due == deliver


async def prior(subscriber_id: int, deliver_at: datetime, n: int, topic: str = "PLANS") -> None:
    await InboxNotification.create(
        subscriber_id=subscriber_id, topic=topic, source=f"PRIOR:{uuid.uuid4().hex}:{n}",
        title="早先的推送", body="…", created_at=deliver_at, deliver_at=deliver_at,
    )  # fmt: skip


async def test_a_retried_fan_out_writes_nothing_twice(services):
    at = hall_clock.now()
    sub = await subscribe(services)
    await SubscriberInterest.create(subscriber_id=sub.id, topic=Topic.FESTIVALS.value, sms=True)
    source = f"TEST-FANOUT:{uuid.uuid4().hex}"
    assert await announce(source, Topic.FESTIVALS, "517", "网购节开始", at) is not None
    assert await announce(source, Topic.FESTIVALS, "517", "网购节开始", at) is None
    await fan_out(services, at)
    await FanOut.filter(source=source).update(finished_at=None, cursor=0)  # as if retried
    await fan_out(services, at)
    assert await InboxNotification.filter(subscriber_id=sub.id, source=source).count() == 1
