"""Flash sales through the API: marketing creates, customers book, buy and pay; the rules at
their edges (the last unit, the limit-th unit, the window, booking priority), payment from the
balance and through the provider, a late payment refunded, unpaid units reaped back."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.models.accounts import Subscriber
from db.models.flash import FlashReservation
from db.repositories.flash_sales import stats_of, units_taken
from domain.calendar import local
from domain.flash.model import ReservationStatus
from resolvers.flash.reap import flush_stats, reap
from tests.api.flash_helpers import (
    BOOK,
    COMPLETE,
    PAY,
    SALE,
    buy,
    codes,
    create_sale,
    key,
)  # fmt: skip
from tests.conftest import subscribe


def at(sale: dict, seconds: float = 0) -> datetime:
    return datetime.fromisoformat(sale["startsAt"]) + timedelta(seconds=seconds)


async def test_buy_the_last_unit_and_the_limit_th_unit(api, services, clock, marketing_token):
    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=3, perSubscriberLimit=2)
    assert sale["status"] == "SCHEDULED" and sale["remaining"] == 3
    a, b = await subscribe(services), await subscribe(services)
    assert codes(await buy(api, a.token, sale["id"])) == ["NOT_STARTED"]
    clock.set(at(sale))
    first = await buy(api, a.token, sale["id"])
    assert first["userErrors"] == [] and first["reservation"]["units"] == [1]
    second = await buy(api, a.token, sale["id"])
    assert second["reservation"]["units"] == [2]  # the limit-th unit
    assert codes(await buy(api, a.token, sale["id"])) == ["LIMIT_REACHED"]
    assert codes(await buy(api, b.token, sale["id"], quantity=2)) == ["SOLD_OUT"]
    last = await buy(api, b.token, sale["id"])
    assert last["userErrors"] == []  # the last unit
    assert codes(await buy(api, b.token, sale["id"])) == ["SOLD_OUT"]
    shown = (await api.as_(a.token).data(SALE, id=sale["id"]))["flashSale"]
    assert shown["remaining"] == 0 and shown["status"] == "SOLD_OUT" and shown["myUnits"] == 2
    assert await units_taken(sale["id"]) == 3
    clock.set(at(sale, 3600))
    assert codes(await buy(api, b.token, sale["id"], k="late")) == ["ENDED"]


async def test_a_repeated_request_returns_the_first_reservation(
    api, services, clock, marketing_token
):
    sale = await create_sale(api, marketing_token, clock.now())
    a = await subscribe(services)
    clock.set(at(sale))
    one = await buy(api, a.token, sale["id"], k="same")
    two = await buy(api, a.token, sale["id"], k="same")
    assert one["reservation"]["id"] == two["reservation"]["id"]
    shown = (await api.as_(a.token).data(SALE, id=sale["id"]))["flashSale"]
    assert shown["remaining"] == 9 and shown["myUnits"] == 1


async def test_booking_priority(api, services, clock, marketing_token):
    now = clock.now()
    sale = await create_sale(
        api, marketing_token, now, bookingOpensAt=now.isoformat(), priorityMinutes=5
    )
    booked, other = await subscribe(services), await subscribe(services)
    clock.set(now + timedelta(seconds=1))
    done = (await api.as_(booked.token).data(BOOK, id=sale["id"]))["flashSaleBook"]
    assert done["userErrors"] == [] and done["flashSale"]["myBooking"] is True
    assert done["flashSale"]["bookedCount"] == 1
    clock.set(at(sale, 60))  # inside the priority minutes
    assert codes(await buy(api, other.token, sale["id"], k="p1")) == ["BOOKING_REQUIRED"]
    assert (await buy(api, booked.token, sale["id"]))["userErrors"] == []
    clock.set(at(sale, 300))  # priority over: everyone
    assert (await buy(api, other.token, sale["id"], k="p1"))["userErrors"] == []


async def test_not_eligible_when_suspended_or_no_5g_device(api, services, clock, marketing_token):
    sale = await create_sale(api, marketing_token, clock.now(), itemId="5G-128")
    plain = await subscribe(services)
    clock.set(at(sale))
    assert codes(await buy(api, plain.token, sale["id"])) == ["NOT_ELIGIBLE"]
    five_g = await subscribe(services, device_5g=True)
    assert (await buy(api, five_g.token, sale["id"]))["userErrors"] == []


async def test_a_refused_buyer_gives_the_unit_back_and_may_ask_again(
    api, services, clock, marketing_token
):
    """Eligibility is read only once Redis granted a unit: a buyer who may not have it leaves
    the stock as it was and the outbox empty, and the same request, asked again once the buyer
    may, is decided again rather than replayed."""
    from db.models.accounts import Notification
    from db.models.flash import FlashUnit

    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=1, itemId="5G-128")
    plain = await subscribe(services)
    clock.set(at(sale))
    assert codes(await buy(api, plain.token, sale["id"], k="again")) == ["NOT_ELIGIBLE"]
    assert await services.stores.flash_sales.remaining(sale["id"]) == 1
    assert await FlashUnit.filter(sale_id=sale["id"]).count() == 0
    assert not await Notification.filter(msisdn=plain.msisdn, kind="FLASH_RESERVED").exists()
    await Subscriber.filter(id=plain.id).update(device_5g=True)
    again = await buy(api, plain.token, sale["id"], k="again")
    assert again["userErrors"] == [] and again["reservation"]["units"] == [1]
    (notice,) = await Notification.filter(msisdn=plain.msisdn, kind="FLASH_RESERVED")
    held = await FlashReservation.get(id=again["reservation"]["id"])
    assert f"请在{local(held.pay_by):%H:%M}前完成支付" in notice.text  # the sale's own pay window
    assert await units_taken(sale["id"]) == 1
    # marketing's figures count one refusal and one sale, not two sales
    await flush_stats(services)
    assert await stats_of(sale["id"]) == {"NOT_ELIGIBLE": 1, "OK": 1}


async def test_pay_from_balance_records_the_phone(api, services, clock, marketing_token):
    sale = await create_sale(
        api, marketing_token, clock.now(), itemKind="DEVICE", itemId="DEV-XM-14",
        salePriceFen=299_900, perSubscriberLimit=1,
    )  # fmt: skip
    a = await subscribe(services, balance_fen=400_000)
    clock.set(at(sale))
    assert codes(await buy(api, a.token, sale["id"])) == ["SHIPPING_ADDRESS_REQUIRED"]
    r = (await buy(api, a.token, sale["id"], shippingAddress="北京市西城区金融大街29号"))[
        "reservation"
    ]
    paid = (await api.as_(a.token).data(PAY, id=r["id"], method="BALANCE", key=key()))[
        "flashSalePay"
    ]
    assert paid["userErrors"] == [] and paid["order"]["status"] == "COMPLETED"
    assert paid["order"]["chargedFen"] == 299_900
    sub = await Subscriber.get(id=a.id)
    assert sub.balance_fen == 100_100 and sub.device_id == "DEV-XM-14" and sub.device_5g


async def test_unpaid_units_come_back_and_a_late_payment_is_refunded(
    api, services, clock, marketing_token
):
    sale = await create_sale(
        api, marketing_token, clock.now(), unitsTotal=1, perSubscriberLimit=1,
        payWithinSeconds=60,
    )  # fmt: skip
    a, b = await subscribe(services), await subscribe(services)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    started = (await api.as_(a.token).data(PAY, id=r["id"], method="ALIPAY", key=key()))[
        "flashSalePay"
    ]
    assert started["order"]["status"] == "PENDING_PAYMENT" and started["payUrl"]
    assert codes(await buy(api, b.token, sale["id"])) == ["SOLD_OUT"]
    clock.set(at(sale, 61))  # the deadline passed: the reaper gives the unit back
    await reap(services)
    taken = await buy(api, b.token, sale["id"], k="after-reap")
    assert taken["userErrors"] == []
    late = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
    assert late["result"] == "REFUNDED"
    again = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
    assert again["result"] == "ALREADY_PROCESSED"  # a duplicate callback changes nothing
    orders = await api.as_(a.token).data(
        "{ me { orders(first: 5) { nodes { kind status statusReason } } } }"
    )
    flash = [o for o in orders["me"]["orders"]["nodes"] if o["kind"] == "FLASH_SALE"]
    assert flash[0] == {
        "kind": "FLASH_SALE", "status": "REFUNDED", "statusReason": "PAID_AFTER_DEADLINE",
    }  # fmt: skip
    assert await units_taken(sale["id"]) == 1  # b's unit, never two
    shown = (await api.as_(b.token).data(SALE, id=sale["id"]))["flashSale"]
    assert shown["remaining"] == 0


async def test_provider_payment_in_time_completes(api, services, clock, marketing_token):
    sale = await create_sale(api, marketing_token, clock.now())
    a = await subscribe(services)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    started = (await api.as_(a.token).data(PAY, id=r["id"], method="WECHAT", key=key()))[
        "flashSalePay"
    ]
    done = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
    assert done["result"] == "CONFIRMED"
    again = (await api.as_(a.token).data(PAY, id=r["id"], method="BALANCE", key=key()))[
        "flashSalePay"
    ]
    assert again["order"]["status"] == "COMPLETED"  # already paid: the paying order
    await reap(services)
    assert (await FlashReservation.get(id=r["id"])).status is ReservationStatus.PAID


async def test_marketing_only_and_audited(api, services, clock, marketing_token, subscriber):
    from db.models.promotions import CampaignAudit
    from tests.api.flash_helpers import CREATE, sale_input

    body = await api.as_(subscriber.token)(CREATE, input=sale_input(clock.now()))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    sale = await create_sale(api, marketing_token, clock.now())
    cancel = """mutation($id: ID!) { flashSaleCancel(id: $id) { flashSale { status }
      userErrors { code } } }"""
    done = await api.as_(marketing_token).data(cancel, id=sale["id"])
    assert done["flashSaleCancel"]["flashSale"]["status"] == "CANCELLED"
    actions = await CampaignAudit.filter(entity_id=sale["id"]).values_list("action", flat=True)
    assert sorted(actions) == ["CANCEL", "CREATE"]
