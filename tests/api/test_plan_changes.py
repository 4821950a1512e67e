"""planChange and bundleOrder: scheduled for 00:00 on the 1st of next month, replacing any pending
change, applied lazily when the plan is read; refused with userErrors and nothing ordered."""

from datetime import datetime, timedelta

import pytest

from db.models.accounts import Subscriber
from db.models.catalog import Plan
from db.models.orders import Order
from domain.calendar import SHANGHAI
from tests.api.order_helpers import (
    BUNDLE_ORDER,
    OUTBOX,
    PENDING,
    PLAN_CHANGE,
    balance_of,
    codes,
    new_key,
    orders_of,
)
from tests.conftest import subscribe

pytestmark = pytest.mark.calendar

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=SHANGHAI)
FIRST_OF_DECEMBER = "2026-11-30T16:00:00+00:00"


async def test_plan_change_is_scheduled_for_the_first_of_next_month(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services, balance_fen=100)
    me = api.as_(sub.token)
    out = (await me.data(PLAN_CHANGE, plan="4G-196", key=new_key()))["planChange"]
    assert out["userErrors"] == []
    order = out["order"]
    assert order["kind"] == "PLAN_CHANGE" and order["status"] == "SCHEDULED"
    assert order["effectiveFrom"] == FIRST_OF_DECEMBER
    assert order["plan"]["id"] == "4G-196" and order["chargedFen"] == 0
    assert order["listPriceFen"] == order["finalPriceFen"] == 19600
    assert order["pricing"]["listPriceFen"] == 19600 and len(order["pricing"]["schedule"]) == 12
    assert await balance_of(sub.id) == 100  # billed monthly, nothing taken now

    state = (await me.data(PENDING))["me"]
    assert state["plan"]["id"] == "4G-136"  # still this month's plan
    assert state["pendingChange"]["plan"]["id"] == "4G-196"
    assert state["pendingChange"]["effectiveFrom"] == FIRST_OF_DECEMBER
    assert state["pendingChange"]["kind"] == "PLAN_CHANGE"
    outbox = (await api.data(OUTBOX, m=sub.msisdn))["dev"]["outbox"]
    assert outbox[0]["kind"] == "ORDER_PLAN_CHANGE" and "2026年12月1日" in outbox[0]["text"]


async def test_a_newer_change_replaces_the_pending_one(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services)
    me = api.as_(sub.token)
    first = (await me.data(PLAN_CHANGE, plan="4G-196", key=new_key()))["planChange"]["order"]
    bundle = {"dataPackId": "DATA-3G", "voicePackId": "VOICE-500"}
    second = (await me.data(BUNDLE_ORDER, input=bundle, key=new_key()))["bundleOrder"]["order"]
    third = (await me.data(PLAN_CHANGE, plan="4G-296", key=new_key()))["planChange"]["order"]
    statuses = {str(o.id): o.status.value for o in await orders_of(sub.id)}
    assert statuses == {
        first["id"]: "SUPERSEDED",
        second["id"]: "SUPERSEDED",
        third["id"]: "SCHEDULED",
    }
    pending = (await me.data(PENDING))["me"]["pendingChange"]
    assert pending["plan"]["id"] == "4G-296" and pending["order"]["id"] == third["id"]


async def test_the_change_applies_at_midnight_without_a_job(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services)
    me = api.as_(sub.token)
    await me.data(PLAN_CHANGE, plan="4G-76", key=new_key())
    just_before = datetime(2026, 11, 30, 23, 59, 59, tzinfo=SHANGHAI)
    clock.set(just_before)
    assert (await me.data(PENDING))["me"]["plan"]["id"] == "4G-136"
    clock.set(just_before + timedelta(seconds=1))
    state = (await me.data(PENDING))["me"]
    assert state["plan"]["id"] == "4G-76" and state["pendingChange"] is None
    (order,) = await orders_of(sub.id)
    assert order.status.value == "COMPLETED"


async def test_a_bundle_order_becomes_a_combo_plan(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services)
    me = api.as_(sub.token)
    bundle = {"dataPackId": "DATA-1G", "voicePackId": "VOICE-200", "smsPackId": "SMS-200",
              "vasPackIds": ["VAS-VIDEO-RBT", "VAS-CALLER-ID"]}  # fmt: skip
    out = (await me.data(BUNDLE_ORDER, input=bundle, key=new_key()))["bundleOrder"]
    assert out["userErrors"] == []
    order = out["order"]
    fee = 4800 + 3200 + 1000 + 600 + 500
    assert order["kind"] == "BUNDLE" and order["status"] == "SCHEDULED"
    assert order["effectiveFrom"] == FIRST_OF_DECEMBER
    assert order["plan"]["kind"] == "COMBO" and order["plan"]["monthlyFeeFen"] == fee
    assert [c["id"] for c in order["plan"]["components"]] == [
        "DATA-1G", "VOICE-200", "SMS-200", "VAS-CALLER-ID", "VAS-VIDEO-RBT",
    ]  # fmt: skip
    assert order["listPriceFen"] == order["finalPriceFen"] == fee
    assert len(order["pricing"]["lines"]) == 5
    combo = await Plan.get(id=order["plan"]["id"])
    assert (combo.data_mb, combo.voice_minutes, combo.sms_count) == (1024, 200, 200)
    assert not combo.listed

    # Someone else composing the same packs in another order gets the same combo plan.
    other = await subscribe(services)
    shuffled = dict(bundle, vasPackIds=["VAS-CALLER-ID", "VAS-VIDEO-RBT"])
    again = await api.as_(other.token).data(BUNDLE_ORDER, input=shuffled, key=new_key())
    assert again["bundleOrder"]["order"]["plan"]["id"] == combo.id

    clock.set(datetime(2026, 12, 1, 0, 0, 1, tzinfo=SHANGHAI))
    state = (await me.data(PENDING))["me"]
    assert state["plan"] == {"id": combo.id, "kind": "COMBO"}
    plan = (await me.data("{ me { plan { monthlyFeeFen allowances { kind amount } } } }"))["me"]
    assert plan["plan"]["monthlyFeeFen"] == fee
    assert plan["plan"]["allowances"] == [
        {"kind": "DATA", "amount": 1024},
        {"kind": "VOICE", "amount": 200},
        {"kind": "SMS", "amount": 200},
    ]


async def test_invalid_bundles_order_nothing(api, services):
    sub = await subscribe(services)
    me = api.as_(sub.token)
    bad = {"dataPackId": "VAS-CLOUD", "vasPackIds": ["NOPE", "DATA-1G", "DATA-2G"]}
    out = (await me.data(BUNDLE_ORDER, input=bad, key=new_key()))["bundleOrder"]
    assert out["order"] is None
    assert sorted(codes(out)) == ["TOO_MANY_OF_KIND", "UNKNOWN_PACK"]
    assert all(e["field"] for e in out["userErrors"])
    assert await orders_of(sub.id) == []


async def test_5g_plans_need_a_5g_device(api, services):
    plain = await subscribe(services)
    out = (await api.as_(plain.token).data(PLAN_CHANGE, plan="5G-128", key=new_key()))["planChange"]
    assert out["order"] is None
    assert [(e["code"], e["field"]) for e in out["userErrors"]] == [("DEVICE_NOT_5G", "planId")]
    five_g = await subscribe(services, device_5g=True)
    out = await api.as_(five_g.token).data(PLAN_CHANGE, plan="5G-128", key=new_key())
    assert out["planChange"]["order"]["plan"]["id"] == "5G-128"
    assert await orders_of(plain.id) == []


@pytest.mark.parametrize(
    ("plan_id", "code"),
    [
        ("NOPE", "UNKNOWN_PLAN"),
        ("", "UNKNOWN_PLAN"),
        ("9" * 10_000, "UNKNOWN_PLAN"),
        ("4G-58-RETIRED", "PLAN_NOT_AVAILABLE"),
        ("COMBO-TEST", "PLAN_NOT_AVAILABLE"),
        ("DATA-1G", "UNKNOWN_PLAN"),
        ("4G-136", "ALREADY_ON_PLAN"),
    ],
)
async def test_bad_plan_changes_order_nothing(api, services, plan_id, code):
    await Plan.update_or_create(
        id="4G-58-RETIRED",
        defaults={"name": "4G飞享套餐 58元", "monthly_fee_fen": 5800, "active": False},
    )
    await Plan.update_or_create(
        id="COMBO-TEST",
        defaults={"name": "测试组合", "monthly_fee_fen": 800, "kind": "COMBO", "listed": False},
    )
    sub = await subscribe(services)
    out = (await api.as_(sub.token).data(PLAN_CHANGE, plan=plan_id, key=new_key()))["planChange"]
    assert out["order"] is None and codes(out) == [code]
    assert await orders_of(sub.id) == []


async def test_closed_and_suspended_numbers_are_refused(api, services):
    closed = await subscribe(services)
    await Subscriber.filter(id=closed.id).update(status="CLOSED")
    out = await api.as_(closed.token).data(PLAN_CHANGE, plan="4G-166", key=new_key())
    assert codes(out["planChange"]) == ["ACCOUNT_CLOSED"]
    out = await api.as_(closed.token).data(
        BUNDLE_ORDER, input={"dataPackId": "DATA-1G"}, key=new_key()
    )
    assert codes(out["bundleOrder"]) == ["ACCOUNT_CLOSED"]
    suspended = await subscribe(services)
    await Subscriber.filter(id=suspended.id).update(status="SUSPENDED")
    out = await api.as_(suspended.token).data(PLAN_CHANGE, plan="4G-166", key=new_key())
    assert codes(out["planChange"]) == ["ACCOUNT_SUSPENDED"]
    assert await orders_of(closed.id) == [] and await orders_of(suspended.id) == []


async def test_a_change_due_for_a_number_closed_since_is_cancelled(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services)
    await api.as_(sub.token).data(PLAN_CHANGE, plan="4G-166", key=new_key())
    await Subscriber.filter(id=sub.id).update(status="CLOSED")
    from db.repositories.plan_changes import apply_due_changes

    assert await apply_due_changes(datetime(2026, 12, 1, tzinfo=SHANGHAI), sub.id) == 0
    (order,) = await orders_of(sub.id)
    assert order.status.value == "CANCELLED"
    assert (await Subscriber.get(id=sub.id)).plan_id == "4G-136"


async def test_limited_and_anonymous_sessions_are_refused(api, subscriber):
    body = await api.as_(subscriber.limited_token)(PLAN_CHANGE, plan="4G-166", key=new_key())
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await api.as_(subscriber.limited_token)(
        BUNDLE_ORDER, input={"dataPackId": "DATA-1G"}, key=new_key()
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await api(PLAN_CHANGE, plan="4G-166", key=new_key())
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await Order.filter(subscriber_id=subscriber.id).count() == 0
    pending = await api.as_(subscriber.limited_token).data("{ me { pendingChange { kind } } }")
    assert pending["me"]["pendingChange"] is None  # reading basics is fine


async def test_same_key_twice_is_one_order(api, services):
    sub = await subscribe(services)
    me = api.as_(sub.token)
    key = new_key()
    first = (await me.data(PLAN_CHANGE, plan="4G-166", key=key))["planChange"]["order"]
    again = (await me.data(PLAN_CHANGE, plan="4G-166", key=key))["planChange"]["order"]
    assert again == first
    bundle_key = new_key()
    a = {"dataPackId": "DATA-1G", "vasPackIds": ["VAS-CLOUD", "VAS-CALLER-ID"]}
    b = {"dataPackId": "DATA-1G", "vasPackIds": ["VAS-CALLER-ID", "VAS-CLOUD"]}
    one = (await me.data(BUNDLE_ORDER, input=a, key=bundle_key))["bundleOrder"]["order"]
    two = (await me.data(BUNDLE_ORDER, input=b, key=bundle_key))["bundleOrder"]["order"]
    assert one["id"] == two["id"]
    assert len(await orders_of(sub.id)) == 2
    outbox = (await api.data(OUTBOX, m=sub.msisdn))["dev"]["outbox"]
    assert [m["kind"] for m in outbox].count("ORDER_PLAN_CHANGE") == 1
    # The same key for a different request is refused, and changes nothing.
    other = (await me.data(PLAN_CHANGE, plan="4G-196", key=key))["planChange"]
    assert codes(other) == ["IDEMPOTENCY_KEY_REUSED"]
    too_long = (await me.data(PLAN_CHANGE, plan="4G-196", key="k" * 65))["planChange"]
    assert codes(too_long) == ["INVALID_IDEMPOTENCY_KEY"]
    blank = (await me.data(PLAN_CHANGE, plan="4G-196", key="  "))["planChange"]
    assert codes(blank) == ["INVALID_IDEMPOTENCY_KEY"]
    assert len(await orders_of(sub.id)) == 2
