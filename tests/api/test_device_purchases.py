"""devicePurchase: a device bought outside flash sales is an ordinary order of the pipeline —
priced, idempotent, shipped to an address, its stock taken by a guarded update (never below
zero, also when buyers race), the phone recorded for the 5G check of plan changes."""

from __future__ import annotations

import asyncio

from db.models.accounts import Subscriber
from db.models.flash import Device
from db.models.orders import Order
from domain.orders.details import DevicePurchaseDetails
from tests.api.flash_helpers import key
from tests.conftest import subscribe

BUY = """mutation($id: ID!, $addr: String!, $key: String!, $qty: Int!) {
  devicePurchase(deviceId: $id, shippingAddress: $addr, idempotencyKey: $key, quantity: $qty) {
    order { id kind status chargedFen deviceId shippingAddress }
    userErrors { code field message } } }"""
PLAN_CHANGE = """mutation($plan: ID!, $key: String!) {
  planChange(planId: $plan, idempotencyKey: $key) { order { status } userErrors { code } } }"""
ADDR = "广州市天河区珠江新城花城大道1号"


async def stocked_device(device_id: str, stock: int, price: int = 200_000, **kw) -> Device:
    await Device.filter(id=device_id).delete()
    return await Device.create(
        id=device_id, brand="测试", model=device_id, list_price_fen=price, stock=stock, **kw
    )


def _codes(data: dict) -> list[str]:
    return [e["code"] for e in data["devicePurchase"]["userErrors"]]


async def test_buy_a_5g_phone_then_a_5g_plan(api, services):
    await stocked_device("DEV-T-5G", stock=3, is_5g=True)
    a = await subscribe(services, balance_fen=300_000)
    refused = await api.as_(a.token).data(PLAN_CHANGE, plan="5G-128", key=key())
    assert refused["planChange"]["userErrors"] != []  # no 5G phone on record yet
    k = key()
    no_addr = await api.as_(a.token).data(BUY, id="DEV-T-5G", addr=" ", key=k, qty=1)
    assert _codes(no_addr) == ["SHIPPING_ADDRESS_REQUIRED"]
    done = await api.as_(a.token).data(BUY, id="DEV-T-5G", addr=ADDR, key=k, qty=1)
    order = done["devicePurchase"]["order"]
    assert done["devicePurchase"]["userErrors"] == []
    assert order["kind"] == "DEVICE_PURCHASE" and order["status"] == "COMPLETED"
    assert order["chargedFen"] == 200_000 and order["deviceId"] == "DEV-T-5G"
    assert order["shippingAddress"] == ADDR
    again = await api.as_(a.token).data(BUY, id="DEV-T-5G", addr=ADDR, key=k, qty=1)
    assert again["devicePurchase"]["order"]["id"] == order["id"]  # idempotent
    assert (await Device.get(id="DEV-T-5G")).stock == 2
    sub = await Subscriber.get(id=a.id)
    assert sub.balance_fen == 100_000 and sub.device_id == "DEV-T-5G" and sub.device_5g
    row = await Order.get(id=order["id"])
    assert isinstance(row.detail, DevicePurchaseDetails) and row.detail.quantity == 1
    changed = await api.as_(a.token).data(PLAN_CHANGE, plan="5G-128", key=key())
    assert changed["planChange"]["userErrors"] == []  # the 5G check reads the phone


async def test_bad_input_and_no_stock(api, services):
    await stocked_device("DEV-T-ONE", stock=1, price=1_000)
    a = await subscribe(services, balance_fen=10_000)
    unknown = await api.as_(a.token).data(BUY, id="DEV-NOPE", addr=ADDR, key=key(), qty=1)
    assert _codes(unknown) == ["UNKNOWN_ITEM"]
    many = await api.as_(a.token).data(BUY, id="DEV-T-ONE", addr=ADDR, key=key(), qty=0)
    assert _codes(many) == ["INVALID_QUANTITY"]
    two = await api.as_(a.token).data(BUY, id="DEV-T-ONE", addr=ADDR, key=key(), qty=2)
    assert _codes(two) == ["OUT_OF_STOCK"]
    assert (await Subscriber.get(id=a.id)).balance_fen == 10_000  # nothing was taken


async def test_buyers_racing_for_the_last_units_never_drive_stock_below_zero(api, services):
    await stocked_device("DEV-T-RACE", stock=3, price=1_000, accessory=True)
    buyers = [await subscribe(services, balance_fen=10_000) for _ in range(8)]
    results = await asyncio.gather(
        *(api.as_(b.token).data(BUY, id="DEV-T-RACE", addr=ADDR, key=key(), qty=1) for b in buyers)
    )
    ok = [r for r in results if not r["devicePurchase"]["userErrors"]]
    assert len(ok) == 3
    assert {c for r in results for c in _codes(r)} <= {"OUT_OF_STOCK"}
    assert (await Device.get(id="DEV-T-RACE")).stock == 0
    balances = [(await Subscriber.get(id=b.id)).balance_fen for b in buyers]
    spent = sum(10_000 - fen for fen in balances)
    assert spent == 3 * 1_000
