"""Flash-sale payments as ordinary orders of the ordering pipeline: typed details, idempotent,
points earned when the money settles (from the balance at once, through a provider on its
callback); a late payment refunded through the provider's refund call (its own signature and
idempotency) and recorded; a device's stock taken by a guarded update."""

from __future__ import annotations

import pytest

from db.models.flash import Device
from db.models.orders import Order
from db.models.payments import Payment, PaymentRefund
from db.models.points import PointsEntry
from domain.orders.details import FlashSaleDetails
from domain.ports import RefundRefused
from resolvers.flash.reap import reap
from tests.api import promo_helpers as promo
from tests.api.flash_helpers import COMPLETE, CREATE, PAY, buy, codes, create_sale, key, sale_input
from tests.api.promo_helpers import promotions_cleanup  # noqa: F401 (fixture)
from tests.api.test_flash_sales import at
from tests.conftest import subscribe


async def _points(subscriber_id: int, order_id: str) -> int:
    entry = await PointsEntry.get_or_none(subscriber_id=subscriber_id, source=f"ORDER:{order_id}")
    return entry.amount if entry else 0


async def test_balance_payment_is_a_pipeline_order_that_earns_points(
    api, services, clock, marketing_token
):
    sale = await create_sale(api, marketing_token, clock.now(), salePriceFen=12_345)
    a = await subscribe(services, balance_fen=50_000)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    k = key()
    paid = (await api.as_(a.token).data(PAY, id=r["id"], method="BALANCE", key=k))["flashSalePay"]
    assert paid["userErrors"] == [] and paid["order"]["status"] == "COMPLETED"
    again = (await api.as_(a.token).data(PAY, id=r["id"], method="BALANCE", key=k))["flashSalePay"]
    assert again["order"]["id"] == paid["order"]["id"]  # the same key: the same order
    order = await Order.get(id=paid["order"]["id"])
    assert isinstance(order.detail, FlashSaleDetails)
    assert order.detail.reservation_id == r["id"] and order.detail.charged_fen == 12_345
    assert order.pricing["points_to_earn"] == 123  # the quote the pipeline priced
    assert await _points(a.id, order.id) == 123  # 1 point per whole yuan
    reused = (await api.as_(a.token).data(PAY, id=r["id"], method="ALIPAY", key=k))["flashSalePay"]
    assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]


async def test_provider_payment_earns_points_only_when_the_money_settles(
    api, services, clock, marketing_token
):
    sale = await create_sale(api, marketing_token, clock.now(), salePriceFen=5_000)
    a = await subscribe(services)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    started = (await api.as_(a.token).data(PAY, id=r["id"], method="ALIPAY", key=key()))[
        "flashSalePay"
    ]
    order_id = started["order"]["id"]
    assert started["order"]["status"] == "PENDING_PAYMENT" and started["payUrl"]
    assert await _points(a.id, order_id) == 0
    done = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
    assert done["result"] == "CONFIRMED"
    assert await _points(a.id, order_id) == 50
    order = await Order.get(id=order_id)
    assert order.status.value == "COMPLETED" and order.detail.charged_fen == 5_000
    await api.data(COMPLETE, id=started["paymentId"])  # a duplicate: earns nothing more
    assert await _points(a.id, order_id) == 50


async def test_a_late_payment_is_refunded_through_the_provider_once(
    api, services, clock, marketing_token
):
    sale = await create_sale(
        api, marketing_token, clock.now(), unitsTotal=1, perSubscriberLimit=1,
        payWithinSeconds=60, salePriceFen=8_800,
    )  # fmt: skip
    a = await subscribe(services)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    started = (await api.as_(a.token).data(PAY, id=r["id"], method="WECHAT", key=key()))[
        "flashSalePay"
    ]
    clock.set(at(sale, 61))
    await reap(services)
    late = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
    assert late["result"] == "REFUNDED"
    refund = await PaymentRefund.get(payment_id=started["paymentId"])
    assert refund.status == "SUCCEEDED" and refund.amount_fen == 8_800
    assert refund.reason == "PAID_AFTER_DEADLINE" and refund.provider_refund_id
    provider = services.payments
    assert provider.refunds[str(refund.id)] == (
        started["paymentId"], 8_800, refund.provider_refund_id,
    )  # fmt: skip
    payment = await Payment.get(id=started["paymentId"])
    assert payment.status.value == "REFUNDED"
    await api.data(COMPLETE, id=started["paymentId"])  # duplicate callback: no second refund
    assert await PaymentRefund.filter(payment_id=started["paymentId"]).count() == 1
    assert await _points(a.id, started["order"]["id"]) == 0


async def test_the_provider_refund_desk_checks_signature_idempotency_and_amount(
    api, services, clock, marketing_token
):
    sale = await create_sale(api, marketing_token, clock.now(), salePriceFen=1_000)
    a = await subscribe(services)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    started = (await api.as_(a.token).data(PAY, id=r["id"], method="ALIPAY", key=key()))[
        "flashSalePay"
    ]
    provider, pid = services.payments, started["paymentId"]
    with pytest.raises(RefundRefused) as unpaid:
        await provider.refund(pid, "refund-x", 1_000, "TEST")
    assert unpaid.value.code == "NOT_PAID"
    await api.data(COMPLETE, id=pid)
    body, headers = provider.refund_request(pid, "refund-1", 600, "TEST")
    forged = {**headers, "x-telehall-signature": "v1=" + "0" * 64}
    with pytest.raises(RefundRefused) as bad:
        await provider.refund_desk(body, forged)
    assert bad.value.code == "BAD_SIGNATURE"
    first = await provider.refund(pid, "refund-1", 600, "TEST")
    assert await provider.refund(pid, "refund-1", 600, "TEST") == first  # asked again
    with pytest.raises(RefundRefused) as reused:
        await provider.refund(pid, "refund-1", 500, "TEST")
    assert reused.value.code == "REFUND_ID_REUSED"
    with pytest.raises(RefundRefused) as more:
        await provider.refund(pid, "refund-2", 401, "TEST")  # 600 + 401 > 1000 paid
    assert more.value.code == "EXCEEDS_PAID"


async def test_a_device_sold_takes_its_stock_never_below_zero(
    api, services, clock, marketing_token
):
    await Device.create(
        id="DEV-T-FLASH", brand="测试", model="T1", is_5g=True, list_price_fen=100_000, stock=1
    )
    sale = await create_sale(
        api, marketing_token, clock.now(), itemKind="DEVICE", itemId="DEV-T-FLASH",
        salePriceFen=50_000, unitsTotal=2, perSubscriberLimit=1,
    )  # fmt: skip
    a = await subscribe(services, balance_fen=100_000)
    b = await subscribe(services, balance_fen=100_000)
    clock.set(at(sale))
    addr = {"shippingAddress": "上海市浦东新区世纪大道100号"}
    ra = (await buy(api, a.token, sale["id"], **addr))["reservation"]
    rb = (await buy(api, b.token, sale["id"], **addr))["reservation"]
    paid = await api.as_(a.token).data(PAY, id=ra["id"], method="BALANCE", key=key())
    assert paid["flashSalePay"]["order"]["status"] == "COMPLETED"
    assert (await Device.get(id="DEV-T-FLASH")).stock == 0
    none_left = await api.as_(b.token).data(PAY, id=rb["id"], method="BALANCE", key=key())
    assert codes(none_left["flashSalePay"]) == ["OUT_OF_STOCK"]
    assert (await Device.get(id="DEV-T-FLASH")).stock == 0
    from db.models.accounts import Subscriber

    assert (await Subscriber.get(id=b.id)).balance_fen == 100_000  # nothing was taken


@pytest.mark.usefixtures("promotions_cleanup")
async def test_a_sale_priced_by_a_campaign(api, services, clock, marketing_token):
    window = promo.Window()
    clock.set(window.during)
    campaign = await promo.create(
        api, marketing_token, window, targets={"planIds": ["4G-136"]},
        benefit={"kind": "PERCENT_OFF", "percentBp": 5000},
    )  # fmt: skip
    both = await api.as_(marketing_token).data(
        CREATE, input=sale_input(clock.now(), campaignId=campaign["id"])
    )
    assert codes(both["flashSaleCreate"]) == ["INVALID_FLASH_SALE"]  # price and campaign
    neither = dict(sale_input(clock.now()))
    neither.pop("salePriceFen")
    out = await api.as_(marketing_token).data(CREATE, input=neither)
    assert [e["field"] for e in out["flashSaleCreate"]["userErrors"]] == ["salePriceFen"]
    unknown = {**neither, "campaignId": "no-such-campaign"}
    out = await api.as_(marketing_token).data(CREATE, input=unknown)
    assert [e["field"] for e in out["flashSaleCreate"]["userErrors"]] == ["campaignId"]
    sale = (
        await api.as_(marketing_token).data(CREATE, input={**neither, "campaignId": campaign["id"]})
    )["flashSaleCreate"]["flashSale"]
    assert sale["salePriceFen"] == 6_800  # half of 4G-136's ¥136, by the engine
    a = await subscribe(services, balance_fen=20_000)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    paid = (await api.as_(a.token).data(PAY, id=r["id"], method="BALANCE", key=key()))[
        "flashSalePay"
    ]
    assert paid["userErrors"] == [] and paid["order"]["chargedFen"] == 6_800
    order = await Order.get(id=paid["order"]["id"])
    assert [ln["adjustments"][0]["campaign_id"] for ln in order.pricing["lines"]] == [
        campaign["id"]
    ]


@pytest.mark.usefixtures("promotions_cleanup")
async def test_a_refunded_campaign_priced_order_gives_its_redemption_back(
    api, services, clock, marketing_token
):
    from db.models.promotions import CampaignRedemption
    from db.repositories.promotions import stats_by_campaign

    window = promo.Window()
    clock.set(window.during)
    campaign = await promo.create(
        api, marketing_token, window, targets={"planIds": ["4G-136"]},
        benefit={"kind": "PERCENT_OFF", "percentBp": 5000},
    )  # fmt: skip
    fields = {k: v for k, v in sale_input(clock.now()).items() if k != "salePriceFen"}
    sale = (
        await api.as_(marketing_token).data(
            CREATE, input={**fields, "campaignId": campaign["id"], "payWithinSeconds": 60}
        )
    )["flashSaleCreate"]["flashSale"]
    a = await subscribe(services)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    started = (await api.as_(a.token).data(PAY, id=r["id"], method="ALIPAY", key=key()))[
        "flashSalePay"
    ]
    order_id = started["order"]["id"]
    assert (await CampaignRedemption.get(order_id=order_id)).state == "CONFIRMED"
    clock.set(at(sale, 61))
    await reap(services)
    late = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
    assert late["result"] == "REFUNDED"
    assert (await CampaignRedemption.get(order_id=order_id)).state == "RELEASED"
    assert (await stats_by_campaign([campaign["id"]]))[campaign["id"]].orders_count == 0
