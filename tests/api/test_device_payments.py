"""devicePurchase paid through the payment provider: the order waits PENDING_PAYMENT with the
stock held; the provider's signed callback completes it once (the phone recorded, points earned
then, a duplicate changes nothing); a failed or abandoned payment gives the stock back once; a
payment arriving after that is refunded through the provider, never shipped."""

from __future__ import annotations

from datetime import timedelta

from db.models.accounts import Notification, Subscriber
from db.models.flash import Device
from db.models.orders import Order
from db.models.payments import Payment, PaymentRefund
from db.models.points import PointsEntry
from domain.payments import CallbackOutcome
from resolvers.jobs.registry import JOBS
from resolvers.jobs.runner import JobRunner
from tests.api.flash_helpers import COMPLETE, key
from tests.api.test_device_purchases import ADDR, stocked_device
from tests.conftest import subscribe

BUY = """mutation($id: ID!, $addr: String!, $key: String!, $method: FlashPayMethod!) {
  devicePurchase(deviceId: $id, shippingAddress: $addr, idempotencyKey: $key,
                 paymentMethod: $method) {
    order { id status chargedFen statusReason } payUrl paymentId
    userErrors { code } } }"""


async def _start(api, services, device_id: str, method: str = "ALIPAY", k: str | None = None):
    a = await subscribe(services, balance_fen=0)  # the balance is not what pays
    done = (
        await api.as_(a.token).data(BUY, id=device_id, addr=ADDR, key=k or key(), method=method)
    )["devicePurchase"]
    assert done["userErrors"] == [], done
    return a, done


async def test_paid_through_the_provider_completes_once(api, services, clock):
    await stocked_device("DEV-P-5G", stock=2, price=150_000, is_5g=True)
    k = key()
    a, started = await _start(api, services, "DEV-P-5G", k=k)
    order = started["order"]
    assert order["status"] == "PENDING_PAYMENT" and started["payUrl"] and started["paymentId"]
    assert (await Device.get(id="DEV-P-5G")).stock == 1  # held for the payer
    sub = await Subscriber.get(id=a.id)
    assert sub.device_id is None and sub.balance_fen == 0
    again = await api.as_(a.token).data(BUY, id="DEV-P-5G", addr=ADDR, key=k, method="ALIPAY")
    assert again["devicePurchase"]["order"]["id"] == order["id"]  # the same key: the same order
    assert (await Device.get(id="DEV-P-5G")).stock == 1

    paid = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
    assert paid["result"] == "CONFIRMED"
    row = await Order.get(id=order["id"])
    assert row.status.value == "COMPLETED" and row.detail.charged_fen == 150_000
    sub = await Subscriber.get(id=a.id)
    assert sub.device_id == "DEV-P-5G" and sub.device_5g and sub.balance_fen == 0
    points = await PointsEntry.filter(subscriber_id=a.id, source=f"ORDER:{order['id']}").count()
    assert points == 1
    duplicate = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
    assert duplicate["result"] == "ALREADY_PROCESSED"
    assert (await Device.get(id="DEV-P-5G")).stock == 1
    assert await Notification.filter(msisdn=a.msisdn, kind="ORDER_DEVICE_PURCHASE").count() == 1


async def test_a_failed_payment_returns_the_stock_once(api, services):
    await stocked_device("DEV-P-F", stock=1)
    _, started = await _start(api, services, "DEV-P-F", method="WECHAT")
    assert (await Device.get(id="DEV-P-F")).stock == 0
    failed = await services.payments.complete(started["paymentId"], CallbackOutcome.FAILED)
    assert failed[1]["result"] == "FAILED_RECORDED"
    assert (await Order.get(id=started["order"]["id"])).status.value == "FAILED"
    assert (await Device.get(id="DEV-P-F")).stock == 1
    again = await services.payments.complete(started["paymentId"], CallbackOutcome.FAILED)
    assert again[1]["result"] == "ALREADY_PROCESSED"
    assert (await Device.get(id="DEV-P-F")).stock == 1


async def test_an_abandoned_payment_expires_and_a_late_one_is_refunded(api, services, clock):
    await stocked_device("DEV-P-X", stock=1, price=90_000)
    a, started = await _start(api, services, "DEV-P-X", method="BANK_CARD")
    runner = JobRunner(services, {"device-payments-expire": JOBS["device-payments-expire"]})
    clock.set(clock.now() + timedelta(minutes=5))
    await runner.tick()
    assert (await Order.get(id=started["order"]["id"])).status.value == "PENDING_PAYMENT"
    clock.set(clock.now() + timedelta(minutes=services.settings.device_payment_minutes + 1))
    await runner.tick()
    assert (await Order.get(id=started["order"]["id"])).status.value == "EXPIRED"
    assert (await Payment.get(id=started["paymentId"])).status.value == "EXPIRED"
    assert (await Device.get(id="DEV-P-X")).stock == 1  # back on sale
    assert await Notification.filter(msisdn=a.msisdn, kind="ORDER_DEVICE_UNPAID").count() == 1

    _, other = await _start(api, services, "DEV-P-X")  # somebody else takes it meanwhile
    late = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
    assert late["result"] == "REFUNDED"
    refund = await PaymentRefund.get(payment_id=started["paymentId"])
    assert refund.status == "SUCCEEDED" and refund.amount_fen == 90_000
    order = await Order.get(id=started["order"]["id"])
    assert order.status.value == "REFUNDED" and order.detail.status_reason == "PAID_AFTER_DEADLINE"
    assert (await Subscriber.get(id=a.id)).device_id is None  # never shipped
    assert (await Device.get(id="DEV-P-X")).stock == 0  # b's hold, not sold twice
    assert await Notification.filter(msisdn=a.msisdn, kind="DEVICE_REFUNDED").count() == 1
    assert (await Order.get(id=other["order"]["id"])).status.value == "PENDING_PAYMENT"
