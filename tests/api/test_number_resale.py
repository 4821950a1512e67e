"""A number bought again after an earlier buyer's purchase did not complete (payment failed,
left unpaid and reaped, or lapsed with the new buyer there before the reaper): the new buyer's
line is a fresh one and shows nothing of the earlier buyer's orders, notices or balance. The
earlier line is retired (CLOSED, number handed back) with its order and payment intact."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from db.models.accounts import Notification, Subscriber
from db.models.engage import InboxNotification
from db.models.numbers import PhoneNumber
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories import balances
from domain.payments import CallbackOutcome
from resolvers.number_holds import reap_expired
from tests.api.auth_helpers import password_login
from tests.api.test_number_purchase import (
    CONFIRM,
    buy,
    hold,
    pay,
    purchase_input,
    stocked,
    token,
)
from tests.api.test_passwords_qr_staff import anonymous_change
from tests.api.test_real_name import new_id
from tests.hall_clock import now as hall_now

ME = """query {
  me {
    msisdn status realNameVerified balance { amountFen }
    orders(first: 50) { nodes { id status shippingAddress summary } }
    notifications(first: 50) { nodes { id title body } }
  }
}"""


def _initial_password(text: str) -> str:
    return next(run for run in re.findall(r"\d+", text) if len(run) == 6)


@pytest.mark.parametrize("ending", ["failed", "reaped", "lapsed"])
async def test_the_next_buyer_of_a_number_sees_nothing_of_an_unfinished_purchase(
    api, services, clock, operator_token, ending
) -> None:
    clock.set(hall_now())
    [msisdn] = await stocked()
    prestore = (await PhoneNumber.get(msisdn=msisdn)).prestore_fen
    tok_a = token()
    a_address = "上海市浦东新区世纪大道100号甲座"
    a_input = purchase_input(await hold(api, msisdn, tok_a), new_id(), shippingAddress=a_address)
    a = await buy(api, a_input, tok_a, key="a-purchase")
    assert a["userErrors"] == [], a
    a_order = await Order.get(id=a["order"]["id"])
    a_line = a_order.subscriber_id  # type: ignore[attr-defined]
    # anything hung on A's line: a notice and a balance entry
    await InboxNotification.create(
        subscriber_id=a_line,
        topic="CAMPAIGN",
        source="TEST:earlier-buyer",
        title="给甲的通知",
        body="甲的私人消息",
        created_at=clock.now(),
        deliver_at=clock.now(),
    )
    await balances.credit(None, a_line, 777, "TEST_EARLIER_BUYER", at=clock.now())

    if ending == "failed":
        assert (await pay(services, str(a_order.id), CallbackOutcome.FAILED))[
            "result"
        ] == "FAILED_RECORDED"
    else:
        clock.set(hall_now() + timedelta(minutes=31))
        if ending == "reaped":
            await reap_expired(services)
    if ending != "lapsed":  # lapsed: B's purchase finds A's unpaid order before the reaper
        assert not await Subscriber.exists(msisdn=msisdn)

    tok_b, b_id = token(), new_id()
    b_input = purchase_input(await hold(api, msisdn, tok_b), b_id)
    b = await buy(api, b_input, tok_b)
    assert b["userErrors"] == [], b
    b_order = b["order"]["id"]
    assert (await pay(services, b_order))["result"] == "PAID"
    done = await api.as_(operator_token).data(CONFIRM, id=b_order, last6=b_id[-6:])
    assert done["simDeliveryConfirm"]["order"]["status"] == "COMPLETED", done

    notice = await Notification.filter(msisdn=b_input["contactMsisdn"], kind="NUMBER_PAID").first()
    assert notice is not None
    changed = await anonymous_change(api, msisdn, _initial_password(notice.text), "Fresh#7788")
    assert changed["ok"], changed
    login = await password_login(api, msisdn, "Fresh#7788")
    assert login["session"], login
    session = login["session"]
    me = (await api.as_(session["token"]).data(ME))["me"]
    assert me["msisdn"] == msisdn and me["status"] == "ACTIVE" and me["realNameVerified"]
    assert [o["id"] for o in me["orders"]["nodes"]] == [b_order]
    assert me["orders"]["nodes"][0]["shippingAddress"] == b_input["shippingAddress"]
    # B's inbox holds B's own notices (the password change) and nothing that was A's
    of_a = {
        str(i)
        for i in await InboxNotification.filter(subscriber_id=a_line).values_list("id", flat=True)
    }
    assert of_a and not of_a & {n["id"] for n in me["notifications"]["nodes"]}
    assert "甲的私人消息" not in {n["body"] for n in me["notifications"]["nodes"]}
    assert me["balance"]["amountFen"] == prestore

    # A's purchase keeps its history on its retired line
    a_order = await Order.get(id=a_order.id)
    assert a_order.status.value == ("FAILED" if ending == "failed" else "EXPIRED")
    retired = await Subscriber.get(id=a_line)
    assert retired.status.value == "CLOSED" and retired.msisdn != msisdn
    assert not retired.real_name_verified and retired.real_name is None
    assert (await Payment.get(reference=str(a_order.id))).subscriber_id == a_line  # type: ignore[attr-defined]
    assert a_order.detail.shipping_address == a_address  # type: ignore[attr-defined]

    # A sending the same purchase again gets A's order back, not an error about the lapsed hold
    replay = await buy(api, a_input, tok_a, key="a-purchase")
    assert replay["userErrors"] == [], replay
    assert replay["order"]["id"] == str(a_order.id)
    assert replay["order"]["status"] == a_order.status.value
