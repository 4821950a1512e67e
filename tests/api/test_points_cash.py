"""Points + cash items: the cash part goes through the payment provider (never the balance),
the points are held while it is open, and the redemption is an order in me.orders."""

from __future__ import annotations

from datetime import timedelta

from db.models.orders import Order
from db.models.payments import Payment
from db.models.points import MallItem, PointsEntry
from domain.payments import CallbackOutcome
from resolvers.points.jobs import expire_unpaid_redemptions
from tests.api.order_helpers import BALANCE, ORDERS, new_key
from tests.api.test_points_api import ADDRESS, POINTS, give
from tests.conftest import subscribe

REDEEM = """mutation($input: PointsRedeemInput!) { pointsRedeem(input: $input) {
  redemption { id orderId status pointsSpent cashFen payUrl paymentId }
  userErrors { code field message } } }"""
ONE = """query($first: Int) { me { redemptions(first: $first) { nodes { id status code } } } }"""


async def cash_item(stock: int = 10) -> MallItem:
    return await MallItem.create(
        id=f"c-{new_key()}"[:40],
        name="蓝牙耳机",
        category="DIGITAL",
        kind="GOODS",
        points_price=1000,
        cash_price_fen=1990,
        stock=stock,
    )


def redeem(item_id: str, **extra) -> dict:
    return {
        "itemId": item_id,
        "quantity": 1,
        "idempotencyKey": new_key(),
        "shippingAddress": ADDRESS,
        **extra,
    }


async def points_balance(me) -> int:
    return (await me.data(POINTS))["me"]["points"]["balance"]


async def test_cash_part_is_paid_through_the_provider_and_the_order_is_listed(api, services, clock):
    sub = await subscribe(services, balance_fen=5000)
    await give(sub, 5000, clock.now())
    item = await cash_item()
    me = api.as_(sub.token)
    no_method = (await me.data(REDEEM, input=redeem(item.id)))["pointsRedeem"]
    assert no_method["userErrors"][0]["code"] == "INVALID_METHOD"
    assert await points_balance(me) == 5000
    args = redeem(item.id, paymentMethod="ALIPAY")
    made = (await me.data(REDEEM, input=args))["pointsRedeem"]
    r = made["redemption"]
    assert made["userErrors"] == [] and r["status"] == "PENDING_PAYMENT"
    assert (r["cashFen"], r["pointsSpent"], r["orderId"]) == (1990, 1000, r["id"])
    assert r["payUrl"].endswith(r["paymentId"])
    assert await points_balance(me) == 4000  # held while the payment is open
    assert (await me.data(BALANCE))["me"]["balance"]["amountFen"] == 5000  # never the balance
    assert (await MallItem.get(id=item.id)).stock == 9
    again = (await me.data(REDEEM, input=args))["pointsRedeem"]["redemption"]
    assert again["id"] == r["id"] and await Payment.filter(reference=r["id"]).count() == 1

    status, body = await services.payments.complete(r["paymentId"])
    assert (status, body["result"]) == (200, "CONFIRMED")
    assert (await services.payments.complete(r["paymentId"]))[1]["result"] == "ALREADY_PROCESSED"
    listed = (await me.data(ONE, first=5))["me"]["redemptions"]["nodes"][0]
    assert (listed["id"], listed["status"]) == (r["id"], "ORDERED")
    orders = (await me.data(ORDERS, first=5))["me"]["orders"]["edges"]
    node = next(e["node"] for e in orders if e["node"]["id"] == r["id"])
    assert (node["kind"], node["status"], node["chargedFen"]) == (
        "POINTS_REDEMPTION",
        "COMPLETED",
        1990,
    )
    assert await points_balance(me) == 4000
    assert (await me.data(BALANCE))["me"]["balance"]["amountFen"] == 5000

    # Cancelled before shipping: the points to the lots, the cash back through the provider.
    cancel = """mutation($id: ID!) { redemptionCancel(id: $id) { redemption { status } } }"""
    assert (await me.data(cancel, id=r["id"]))["redemptionCancel"]["redemption"] == {
        "status": "CANCELLED"
    }
    assert await points_balance(me) == 5000
    assert (await Payment.get(id=r["paymentId"])).status == "REFUNDED"
    assert (await Order.get(id=r["id"])).status == "CANCELLED"
    assert (await me.data(BALANCE))["me"]["balance"]["amountFen"] == 5000
    assert (await MallItem.get(id=item.id)).stock == 10


async def test_a_failed_or_expired_payment_gives_points_and_stock_back_once(api, services, clock):
    sub = await subscribe(services)
    await give(sub, 3000, clock.now())
    item = await cash_item(stock=2)
    me = api.as_(sub.token)
    failed = (await me.data(REDEEM, input=redeem(item.id, paymentMethod="WECHAT")))["pointsRedeem"]
    pid = failed["redemption"]["paymentId"]
    status, body = await services.payments.complete(pid, CallbackOutcome.FAILED)
    assert (status, body["result"]) == (200, "FAILED_RECORDED")
    await services.payments.complete(pid, CallbackOutcome.FAILED)
    assert await points_balance(me) == 3000
    assert (await MallItem.get(id=item.id)).stock == 2
    assert (await Order.get(id=failed["redemption"]["id"])).status == "FAILED"
    assert await PointsEntry.filter(subscriber_id=sub.id, kind="REFUND").count() == 1

    late = (await me.data(REDEEM, input=redeem(item.id, paymentMethod="ALIPAY")))["pointsRedeem"]
    assert await points_balance(me) == 2000
    assert await expire_unpaid_redemptions(services, clock.now()) == 0  # still in its window
    clock.set(clock.now() + timedelta(minutes=31))
    assert await expire_unpaid_redemptions(services, clock.now()) == 1
    assert await expire_unpaid_redemptions(services, clock.now()) == 0
    assert await points_balance(me) == 3000
    assert (await MallItem.get(id=item.id)).stock == 2
    rid = late["redemption"]["id"]
    assert (await Order.get(id=rid)).status == "EXPIRED"
    # The payer paid after all: the money goes back, nothing is fulfilled twice.
    status, body = await services.payments.complete(late["redemption"]["paymentId"])
    assert (status, body["result"]) == (200, "REFUNDED")
    assert (await Payment.get(id=late["redemption"]["paymentId"])).status == "REFUNDED"
    assert await points_balance(me) == 3000
    assert (await MallItem.get(id=item.id)).stock == 2
