"""numberPurchase through the ordering pipeline: provider payment, the new INACTIVE line, the
initial password by SMS, PENDING_ACTIVATION until simDeliveryConfirm, the per-ID limit under
concurrency, NOT_VERIFIED, unpaid and failed purchases, and the ID never stored in clear."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from datetime import timedelta

from db.models.accounts import Notification, Subscriber
from db.models.numbers import IdentityQuota, PhoneNumber, SubscriberIdentity
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories.numbers import stock
from domain.numbers.identity import id_digest
from domain.numbers.patterns import tag_mask, tier_of
from domain.numbers.stocking import stock_row
from domain.payments import CallbackOutcome
from resolvers.number_holds import reap_expired
from tests.api.test_real_name import new_id
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

RESERVE = """
mutation($msisdn: String!, $key: String!, $token: String) {
  numberReserve(msisdn: $msisdn, idempotencyKey: $key, clientToken: $token) {
    reservation { id } userErrors { code field }
  }
}"""
PURCHASE = """
mutation($input: NumberPurchaseInput!, $key: String!, $token: String) {
  numberPurchase(input: $input, idempotencyKey: $key, clientToken: $token) {
    order { id kind status finalPriceFen chargedFen plan { id } }
    payUrl
    userErrors { code field }
  }
}"""
CONFIRM = """
mutation($id: ID!, $last6: String!) {
  simDeliveryConfirm(orderId: $id, idNumberLast6: $last6) {
    order { id status } userErrors { code field }
  }
}"""


def numbers_of_tier(n: int, tiers: set[int]) -> list[str]:
    found: set[str] = set()
    while len(found) < n:
        m = f"178{secrets.randbelow(10**8):08d}"
        if tier_of(tag_mask(m)) in tiers:
            found.add(m)
    return sorted(found)


async def stocked(
    n: int = 1, tiers: frozenset[int] = frozenset({3, 4, 5}), province: str = "广东"
) -> list[str]:
    numbers = numbers_of_tier(n, set(tiers))
    await PhoneNumber.filter(msisdn__in=numbers).delete()
    await stock([stock_row(m, province, "市") for m in numbers])
    return numbers


def token() -> str:
    return secrets.token_urlsafe(16)


async def hold(api, msisdn: str, tok: str | None) -> str:
    data = await api.data(RESERVE, msisdn=msisdn, key=secrets.token_hex(6), token=tok)
    assert data["numberReserve"]["userErrors"] == [], data
    return data["numberReserve"]["reservation"]["id"]


def purchase_input(rid: str, id_number: str, **overrides) -> dict:
    base = {
        "reservationId": rid,
        "realName": {"name": "王五", "idNumber": id_number},
        "contactMsisdn": f"139{secrets.randbelow(10**8):08d}",
        "shippingAddress": "北京市西城区金融大街29号",
        "planId": "4G-136",
        "paymentMethod": "ALIPAY",
    }
    return {**base, **overrides}


async def buy(api, inp: dict, tok: str | None, key: str | None = None) -> dict:
    data = await api.data(PURCHASE, input=inp, key=key or secrets.token_hex(6), token=tok)
    return data["numberPurchase"]


async def pay(services, order_id: str, outcome=CallbackOutcome.SUCCESS) -> dict:
    payment = await Payment.get(reference=order_id)
    status, body = await services.payments.complete(str(payment.id), outcome)
    assert status == 200, body
    return body


def codes(result: dict) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


async def test_an_anonymous_buyer_pays_gets_a_password_and_the_courier_activates(
    api, services, operator_token, caplog
) -> None:
    caplog.set_level(logging.INFO)
    [msisdn] = await stocked()
    row = await PhoneNumber.get(msisdn=msisdn)
    tok, id_number = token(), new_id()
    rid = await hold(api, msisdn, tok)
    inp = purchase_input(rid, id_number)
    result = await buy(api, inp, tok, key="buy-1")
    assert result["userErrors"] == []
    order = result["order"]
    assert order["kind"] == "NUMBER_PURCHASE" and order["status"] == "PENDING_PAYMENT"
    assert order["finalPriceFen"] == row.prestore_fen + 13600 == order["chargedFen"]
    assert order["plan"]["id"] == "4G-136" and result["payUrl"]
    again = await buy(api, inp, tok, key="buy-1")
    assert again["order"]["id"] == order["id"]  # the same key replays, nothing more
    line = await Subscriber.get(msisdn=msisdn)
    assert line.status.value == "INACTIVE" and line.real_name_verified
    assert (await pay(services, order["id"]))["result"] == "PAID"
    fresh = await Order.get(id=order["id"])
    assert fresh.status.value == "PENDING_ACTIVATION"
    line = await Subscriber.get(msisdn=msisdn)
    assert line.balance_fen == row.prestore_fen and line.on_initial_password
    assert (await PhoneNumber.get(msisdn=msisdn)).status == "SOLD"
    notice = await Notification.filter(msisdn=inp["contactMsisdn"], kind="NUMBER_PAID").first()
    assert notice is not None and "初始服务密码" in notice.text
    # the ID number is nowhere in clear: identity, order, payment
    identity = await SubscriberIdentity.get(subscriber_id=line.id)
    assert identity.id_masked == id_number[:3] + "*" * 11 + id_number[-4:]
    blob = json.dumps([fresh.details, fresh.pricing, identity.id_digest], ensure_ascii=False)
    assert id_number not in blob and id_number[-6:] not in blob
    staff = api.as_(operator_token)
    wrong = "000000" if id_number[-6:] != "000000" else "111111"
    refused = (await staff.data(CONFIRM, id=order["id"], last6=wrong))["simDeliveryConfirm"]
    assert codes(refused) == ["DELIVERY_ID_MISMATCH"]
    assert "SIM delivery refused" in caplog.text  # logged, without the ID's digits
    assert (await Subscriber.get(id=line.id)).status.value == "INACTIVE"
    done = (await staff.data(CONFIRM, id=order["id"], last6=id_number[-6:]))["simDeliveryConfirm"]
    assert done["userErrors"] == [] and done["order"]["status"] == "COMPLETED"
    assert (await Subscriber.get(id=line.id)).status.value == "ACTIVE"
    assert id_number not in caplog.text and id_number[-6:] not in caplog.text


async def test_bad_input_is_refused_and_changes_nothing(api, services) -> None:
    lines = await Subscriber.all().count()
    [msisdn] = await stocked()
    [premium] = await stocked(tiers=frozenset({1}))
    tok = token()
    rid, rid_premium = await hold(api, msisdn, tok), await hold(api, premium, tok)
    valid = new_id()  # the wrong check digit is taken against the same ID's right one
    bad_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    cases = [
        (purchase_input(rid, "1101051990051712"), "INVALID_ID_NUMBER"),
        (purchase_input(rid, new_id(born=f"{hall_now().year - 10}0101")), "TOO_YOUNG"),
        (purchase_input(rid, new_id(), contactMsisdn="12345"), "INVALID_MSISDN"),
        (purchase_input(rid, new_id(), shippingAddress="北"), "INVALID_ADDRESS"),
        (purchase_input(rid, new_id(), paymentMethod="CARD_PIN"), "INVALID_METHOD"),
        (purchase_input(rid_premium, new_id()), "PLAN_BELOW_MINIMUM"),
        (purchase_input(rid, new_id(), planId="NO-SUCH-PLAN"), "UNKNOWN_PLAN"),
        (purchase_input(secrets.token_hex(4), new_id()), "RESERVATION_NOT_FOUND"),
        (purchase_input(rid, bad_check), "INVALID_ID_NUMBER"),
    ]
    for inp, code in cases:
        assert codes(await buy(api, inp, tok)) == [code], code
    other = await buy(api, purchase_input(rid, new_id()), token())
    assert codes(other) == ["RESERVATION_NOT_FOUND"]  # someone else's hold
    assert (await PhoneNumber.get(msisdn=msisdn)).status == "RESERVED"
    assert not await Subscriber.exists(msisdn__in=[msisdn, premium])  # no line was made
    assert await Subscriber.all().count() == lines


async def test_unverified_subscribers_may_not_buy_numbers(api, services) -> None:
    [msisdn] = await stocked()
    sub = await subscribe(services, real_name=None)
    me = api.as_(sub.token)
    rid = await hold(me, msisdn, None)
    result = await buy(me, purchase_input(rid, new_id()), None)
    assert codes(result) == ["NOT_VERIFIED"]
    assert not await Subscriber.exists(msisdn=msisdn)
    verified = await subscribe(services)
    [other] = await stocked()
    rid = await hold(api.as_(verified.token), other, None)
    ok = await buy(api.as_(verified.token), purchase_input(rid, new_id()), None)
    assert ok["userErrors"] == [] and ok["order"]["status"] == "PENDING_PAYMENT"


async def test_a_failed_or_unpaid_purchase_gives_the_number_and_the_quota_back(
    api, services, clock
) -> None:
    clock.set(hall_now())
    failed_number, unpaid_number = await stocked(2)
    tok, id_number = token(), new_id()
    digest = id_digest(id_number, services.settings.id_number_secret)
    failed = await buy(api, purchase_input(await hold(api, failed_number, tok), id_number), tok)
    unpaid = await buy(api, purchase_input(await hold(api, unpaid_number, tok), id_number), tok)
    assert (await IdentityQuota.get(id_digest=digest)).used == 2
    assert (await pay(services, failed["order"]["id"], CallbackOutcome.FAILED))[
        "result"
    ] == "FAILED_RECORDED"
    assert (await Order.get(id=failed["order"]["id"])).status.value == "FAILED"
    assert (await PhoneNumber.get(msisdn=failed_number)).status == "AVAILABLE"
    assert (await IdentityQuota.get(id_digest=digest)).used == 1
    clock.set(hall_now() + timedelta(minutes=31))
    reaped = await reap_expired(services)
    assert reaped.unpaid_orders >= 1 and reaped.numbers >= 1
    assert (await Order.get(id=unpaid["order"]["id"])).status.value == "EXPIRED"
    assert (await PhoneNumber.get(msisdn=unpaid_number)).status == "AVAILABLE"
    assert (await IdentityQuota.get(id_digest=digest)).used == 0
    late = await pay(services, unpaid["order"]["id"])
    assert late["result"] == "REFUNDED"  # paid after the window: money back, number stays free
    assert (await Order.get(id=unpaid["order"]["id"])).status.value == "REFUNDED"
    assert (await IdentityQuota.get(id_digest=digest)).used == 0


async def test_10_concurrent_purchases_of_one_hold_make_one_order(
    api, services, postgres_only
) -> None:
    [msisdn] = await stocked()
    tok = token()
    rid = await hold(api, msisdn, tok)
    inputs = [purchase_input(rid, new_id()) for _ in range(10)]
    results = await asyncio.gather(*(buy(api, inp, tok) for inp in inputs))
    winners = [r for r in results if r["order"]]
    assert len(winners) == 1, results
    assert {c for r in results for c in codes(r)} <= {"RESERVATION_NOT_FOUND"}
    assert await Order.filter(subscriber__msisdn=msisdn).count() == 1


async def test_10_concurrent_purchases_on_an_id_with_4_numbers(
    api, services, postgres_only
) -> None:
    id_number = new_id()
    digest = id_digest(id_number, services.settings.id_number_secret)
    await IdentityQuota.create(id_digest=digest, used=4)
    numbers = await stocked(10)
    tokens = [token() for _ in numbers]
    rids = [await hold(api, m, t) for m, t in zip(numbers, tokens, strict=True)]
    results = await asyncio.gather(
        *(buy(api, purchase_input(rid, id_number), t) for rid, t in zip(rids, tokens, strict=True))
    )
    assert sum(1 for r in results if r["order"]) == 1, results
    assert {c for r in results for c in codes(r)} == {"ID_LIMIT_REACHED"}
    assert (await IdentityQuota.get(id_digest=digest)).used == 5
    refused = [m for m, r in zip(numbers, results, strict=True) if not r["order"]]
    assert await PhoneNumber.filter(msisdn__in=refused, status="RESERVED").count() == 9


async def test_a_purchase_refused_inside_its_order_leaves_no_line(api, services) -> None:
    [msisdn] = await stocked()
    tok, id_number = token(), new_id()
    rid = await hold(api, msisdn, tok)
    lines = await Subscriber.all().count()
    digest = id_digest(id_number, services.settings.id_number_secret)
    quota, _ = await IdentityQuota.get_or_create(id_digest=digest)
    held = quota.used
    await IdentityQuota.filter(id_digest=digest).update(used=5)
    refused = await buy(api, purchase_input(rid, id_number), tok)
    assert codes(refused) == ["ID_LIMIT_REACHED"]
    assert await Subscriber.all().count() == lines
    assert not await Subscriber.exists(msisdn=msisdn)
    await IdentityQuota.filter(id_digest=digest).update(used=held)
    # the hold went to someone else between the check and the order's transaction
    holder = (await PhoneNumber.get(msisdn=msisdn)).reserved_by
    await PhoneNumber.filter(msisdn=msisdn).update(reserved_by="someone-else")
    lapsed = await buy(api, purchase_input(rid, new_id()), tok)
    assert codes(lapsed) == ["RESERVATION_NOT_FOUND"]
    assert await Subscriber.all().count() == lines
    await PhoneNumber.filter(msisdn=msisdn).update(reserved_by=holder)
    ok = await buy(api, purchase_input(rid, new_id()), tok)  # and the same hold still buys it
    assert ok["userErrors"] == [], ok
    assert await Subscriber.all().count() == lines + 1


async def test_an_earlier_attempts_line_stays_when_a_later_one_fails(api, services, clock) -> None:
    clock.set(hall_now())
    [msisdn] = await stocked()
    tok = token()
    first = await buy(api, purchase_input(await hold(api, msisdn, tok), new_id()), tok)
    assert first["order"]["status"] == "PENDING_PAYMENT"
    clock.set(hall_now() + timedelta(minutes=31))
    await reap_expired(services)  # unpaid: the number is free again, the line retired
    first_line = (await Order.get(id=first["order"]["id"])).subscriber_id  # type: ignore[attr-defined]
    lines = await Subscriber.all().count()
    id_number = new_id()
    digest = id_digest(id_number, services.settings.id_number_secret)
    await IdentityQuota.filter(id_digest=digest).delete()
    await IdentityQuota.create(id_digest=digest, used=5)
    again = await buy(api, purchase_input(await hold(api, msisdn, tok), id_number), tok)
    assert codes(again) == ["ID_LIMIT_REACHED"]
    assert await Subscriber.all().count() == lines  # the later attempt's line went
    assert not await Subscriber.exists(msisdn=msisdn)
    retired = await Subscriber.get(id=first_line)  # the earlier one stays, with its order
    assert retired.status.value == "CLOSED"
    assert await Order.filter(subscriber_id=first_line).count() == 1


async def test_the_new_line_is_in_the_region_of_its_number(api, services) -> None:
    for province, region in (("广东", "GD"), ("河南", "HA"), ("北京", "BJ")):
        [msisdn] = await stocked(province=province)
        tok = token()
        result = await buy(api, purchase_input(await hold(api, msisdn, tok), new_id()), tok)
        assert result["userErrors"] == [], result
        assert (await Subscriber.get(msisdn=msisdn)).region == region
    [unserved] = await stocked(province="未开通" + secrets.token_hex(2))
    tok = token()
    lines = await Subscriber.all().count()
    refused = await buy(api, purchase_input(await hold(api, unserved, tok), new_id()), tok)
    assert codes(refused) == ["NUMBER_UNAVAILABLE"]
    assert await Subscriber.all().count() == lines
