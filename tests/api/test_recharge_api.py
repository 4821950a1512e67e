from __future__ import annotations

import asyncio
import csv
import io
import secrets
from datetime import timedelta

import pytest

from db.models.accounts import Subscriber
from db.models.ledger import BalanceEntry
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories.payments import add_card
from domain.accounts import SubscriberStatus
from domain.orders import OrderKind
from domain.payments import CallbackOutcome, hash_card_pin
from tests.billing_helpers import INGEST, RECHARGE, balance_of, key, now_in_cycle, sms
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar

COMPLETE = """mutation($id: ID!, $outcome: PaymentCallbackOutcome!) {
  dev { paymentComplete(paymentId: $id, outcome: $outcome) { httpStatus result error } } }"""
PAYMENT = """query($id: ID!) {
  payment(id: $id) { id status amountFen paidAt createdAt msisdn trigger } }"""
RECHARGES = """query($first: Int!, $after: String) { me { recharges(first: $first, after: $after) {
  edges { node { id amountFen status method channel paidAt providerTxnId } }
  pageInfo { hasNextPage endCursor } } } }"""


def recharge_input(msisdn: str, amount: int | None = 5_000, **extra) -> dict:
    return {
        "msisdn": msisdn,
        "amountFen": amount,
        "channel": "WEB",  # no app-only recharge offer (517) changes the payable amount
        "paymentMethod": "ALIPAY",
        "idempotencyKey": key(),
        **extra,
    }


async def _create(api, msisdn: str, amount: int = 5_000, token=None, **extra) -> dict:
    body = await api.as_(token).data(RECHARGE, input=recharge_input(msisdn, amount, **extra))
    assert body["rechargeCreate"]["userErrors"] == [], body
    return body["rechargeCreate"]["payment"]


async def _post(api, body: bytes, headers: dict):
    return await api.client.post("/payments/callback", content=body, headers=headers)


async def test_anyone_may_top_up_and_the_callback_credits_once(api, services):
    sub = await subscribe(services, balance_fen=1_000)
    payment = await _create(api, sub.msisdn, 5_000)  # anonymous
    assert payment["status"] == "CREATED" and payment["payUrl"] == f"/payments/sim/{payment['id']}"
    assert payment["msisdn"] == sub.msisdn[:3] + "****" + sub.msisdn[7:]
    assert payment["amountFen"] == payment["payableFen"] == 5_000
    assert await balance_of(sub.id) == 1_000

    done = (await api.data(COMPLETE, id=payment["id"], outcome="SUCCESS"))["dev"]["paymentComplete"]
    assert done == {"httpStatus": 200, "result": "CREDITED", "error": None}
    assert await balance_of(sub.id) == 6_000
    again = (await api.data(COMPLETE, id=payment["id"], outcome="SUCCESS"))["dev"][
        "paymentComplete"
    ]
    assert again["result"] == "ALREADY_PROCESSED"
    assert await balance_of(sub.id) == 6_000

    seen = (await api.data(PAYMENT, id=payment["id"]))["payment"]
    assert seen["status"] == "PAID" and seen["paidAt"] >= seen["createdAt"]
    assert seen["trigger"] == "MANUAL"
    entries = await BalanceEntry.filter(subscriber_id=sub.id, reason="RECHARGE")
    assert [e.delta_fen for e in entries] == [5_000]
    assert await Order.filter(subscriber_id=sub.id, kind=OrderKind.RECHARGE).count() == 1
    outbox = await api.data(
        "query($m: String!) { dev { outbox(msisdn: $m) { kind text } } }", m=sub.msisdn
    )
    notice = next(m for m in outbox["dev"]["outbox"] if m["kind"] == "RECHARGE")
    assert "50.00" in notice["text"]

    listed = (await api.as_(sub.token).data(RECHARGES, first=10))["me"]["recharges"]["edges"]
    assert [e["node"]["id"] for e in listed] == [payment["id"]]
    assert listed[0]["node"]["providerTxnId"].startswith("SIM")


async def test_bad_recharge_requests(api, services):
    sub = await subscribe(services)
    for amount in (0, -100, 99, 500_001, 10**9, None):
        body = (await api.data(RECHARGE, input=recharge_input(sub.msisdn, amount)))[
            "rechargeCreate"
        ]
        assert body["userErrors"][0]["code"] == "INVALID_AMOUNT", amount
        assert body["userErrors"][0]["field"] == "amountFen"
    cases = [
        (recharge_input("19999999991"), "NOT_FOUND"),
        (recharge_input("12345"), "INVALID_MSISDN"),
        (recharge_input(sub.msisdn, idempotencyKey=""), "INVALID_IDEMPOTENCY_KEY"),
        (recharge_input(sub.msisdn, idempotencyKey="x" * 65), "INVALID_IDEMPOTENCY_KEY"),
    ]
    closed = await subscribe(services)
    await Subscriber.filter(id=closed.id).update(status=SubscriberStatus.CLOSED)
    cases.append((recharge_input(closed.msisdn), "ACCOUNT_CLOSED"))
    for payload, code in cases:
        body = (await api.data(RECHARGE, input=payload))["rechargeCreate"]
        assert body["userErrors"][0]["code"] == code
        assert body["payment"] is None
    assert not await Payment.exists(subscriber_id=closed.id)
    bad_enum = await api(RECHARGE, input={**recharge_input(sub.msisdn), "paymentMethod": "CASH"})
    assert bad_enum["errors"]


async def test_idempotency_key(api, services, subscriber):
    payload = recharge_input(subscriber.msisdn, 3_000)
    first = (await api.as_(subscriber.token).data(RECHARGE, input=payload))["rechargeCreate"]
    second = (await api.as_(subscriber.token).data(RECHARGE, input=payload))["rechargeCreate"]
    assert first["payment"]["id"] == second["payment"]["id"]
    # another caller's key space is its own
    anonymous = (await api.data(RECHARGE, input=payload))["rechargeCreate"]
    assert anonymous["payment"]["id"] != first["payment"]["id"]
    changed = await api.as_(subscriber.token).data(RECHARGE, input={**payload, "amountFen": 3_100})
    assert changed["rechargeCreate"]["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    # racing the same key
    racing = recharge_input(subscriber.msisdn, 2_000)
    results = await asyncio.gather(
        *(api.as_(subscriber.token).data(RECHARGE, input=racing) for _ in range(8))
    )
    assert len({r["rechargeCreate"]["payment"]["id"] for r in results}) == 1


async def test_recharge_reactivates_a_suspended_number(api, services):
    sub = await subscribe(services, balance_fen=0)
    await Subscriber.filter(id=sub.id).update(status=SubscriberStatus.SUSPENDED, balance_fen=-3_000)
    small = await _create(api, sub.msisdn, 1_000, token=sub.limited_token)  # LIMITED may recharge
    await api.data(COMPLETE, id=small["id"], outcome="SUCCESS")
    row = await Subscriber.get(id=sub.id)
    assert (row.status, row.balance_fen) == (SubscriberStatus.SUSPENDED, -2_000)
    enough = await _create(api, sub.msisdn, 2_000)
    await api.data(COMPLETE, id=enough["id"], outcome="SUCCESS")
    row = await Subscriber.get(id=sub.id)
    assert (row.status, row.balance_fen) == (SubscriberStatus.ACTIVE, 0)


async def test_webhook_verifies_signature_amount_txn_and_replays(api, services):
    sub = await subscribe(services, balance_fen=0)
    payment = await _create(api, sub.msisdn, 8_800)
    provider = services.payments
    pid = payment["id"]

    # forged: wrong secret, tampered amount, missing headers, stale, unknown payment, garbage
    body, headers = provider.callback(pid, 8_800, secret="guess")
    assert (await _post(api, body, headers)).status_code == 401
    body, headers = provider.callback(pid, 8_800)
    tampered = body.replace(b"8800", b"9900")
    response = await _post(api, tampered, headers)
    assert response.status_code == 401 and response.json()["error"] == "BAD_SIGNATURE"
    response = await _post(api, body, {"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "MISSING_HEADERS"
    body, headers = provider.callback(pid, 8_800, timestamp=int(hall_now().timestamp()) - 3600)
    assert (await _post(api, body, headers)).json()["error"] == "STALE_TIMESTAMP"
    body, headers = provider.callback(pid, 1)
    response = await _post(api, body, headers)
    assert response.status_code == 409 and response.json()["error"] == "AMOUNT_MISMATCH"
    body, headers = provider.callback("00000000-0000-4000-8000-000000000000", 8_800)
    assert (await _post(api, body, headers)).status_code == 404
    garbage = b"{not json"
    from domain.payments import sign

    ts, nonce = str(int(hall_now().timestamp())), "cd" * 16
    headers = {
        "x-telehall-timestamp": ts,
        "x-telehall-nonce": nonce,
        "x-telehall-signature": sign(services.settings.payment_secret, ts, nonce, garbage),
    }
    assert (await _post(api, garbage, headers)).json()["error"] == "MALFORMED"
    assert await balance_of(sub.id) == 0

    # the genuine one credits; a byte-identical replay and a redelivery change nothing
    body, headers = provider.callback(pid, 8_800)
    response = await _post(api, body, headers)
    assert response.status_code == 200 and response.json()["result"] == "CREDITED"
    replay = await _post(api, body, headers)
    assert replay.status_code == 409 and replay.json()["error"] == "REPLAYED"
    body, headers = provider.callback(pid, 8_800)
    assert (await _post(api, body, headers)).json()["result"] == "ALREADY_PROCESSED"
    body, headers = provider.callback(pid, 8_800, txn_id="OTHERTXN001")
    response = await _post(api, body, headers)
    assert response.status_code == 409 and response.json()["error"] == "TXN_MISMATCH"
    body, headers = provider.callback(pid, 8_800, CallbackOutcome.FAILED)
    assert (await _post(api, body, headers)).status_code == 409
    assert await balance_of(sub.id) == 8_800

    # a transaction id that paid one payment cannot pay another
    other = await _create(api, sub.msisdn, 8_800)
    body, headers = provider.callback(other["id"], 8_800, txn_id=provider.txn_id(pid))
    response = await _post(api, body, headers)
    assert response.status_code == 409 and response.json()["error"] == "TXN_REUSED"
    assert (await api.data(PAYMENT, id=other["id"]))["payment"]["status"] == "CREATED"
    assert await balance_of(sub.id) == 8_800


async def test_failed_payment_never_credits(api, services):
    sub = await subscribe(services, balance_fen=0)
    payment = await _create(api, sub.msisdn, 2_000)
    done = (await api.data(COMPLETE, id=payment["id"], outcome="FAILED"))["dev"]["paymentComplete"]
    assert done["result"] == "FAILED_RECORDED"
    late = (await api.data(COMPLETE, id=payment["id"], outcome="SUCCESS"))["dev"]["paymentComplete"]
    assert late["httpStatus"] == 409 and late["error"] == "PAYMENT_CLOSED"
    assert (await api.data(PAYMENT, id=payment["id"]))["payment"]["status"] == "FAILED"
    assert await balance_of(sub.id) == 0
    unknown = await api(COMPLETE, id="nope", outcome="SUCCESS")
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await api.data(PAYMENT, id="nope"))["payment"] is None


async def test_same_callback_delivered_20_times_in_parallel_credits_once(api, services):
    """On PostgreSQL the deliveries really race; the guarded PAID transition decides."""
    sub = await subscribe(services, balance_fen=0)
    provider = services.payments
    payment = await _create(api, sub.msisdn, 10_000)
    deliveries = [provider.callback(payment["id"], 10_000) for _ in range(20)]  # fresh nonces
    responses = await asyncio.gather(*(_post(api, b, h) for b, h in deliveries))
    assert [r.status_code for r in responses] == [200] * 20
    results = sorted(r.json()["result"] for r in responses)
    assert results == ["ALREADY_PROCESSED"] * 19 + ["CREDITED"]
    assert await balance_of(sub.id) == 10_000

    second = await _create(api, sub.msisdn, 10_000)
    body, headers = provider.callback(second["id"], 10_000)  # one delivery, replayed 20 times
    responses = await asyncio.gather(*(_post(api, body, headers) for _ in range(20)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 19
    assert await balance_of(sub.id) == 20_000
    assert await BalanceEntry.filter(subscriber_id=sub.id, reason="RECHARGE").count() == 2


async def fresh_card_attempts(services) -> None:
    """Other tests of the session tried cards from this client in this hour too."""
    limits = services.stores.rate_limits
    async for used in limits.redis.scan_iter(match=limits.key("rate", "card-pin", "*")):
        await limits.redis.delete(used)


async def test_prepaid_cards(api, services, clock):
    clock.set(clock.now())  # one rate-limit hour for the whole test
    await fresh_card_attempts(services)
    sub = await subscribe(services, balance_fen=0)
    pin = f"{secrets.randbelow(10**19):019d}"
    await add_card(f"T-{pin}", hash_card_pin(pin), 5_000, hall_now() + timedelta(days=30))
    card = {"paymentMethod": "CARD_PIN", "cardPin": pin}
    body = await api.data(RECHARGE, input=recharge_input(sub.msisdn, None, **card))
    payment = body["rechargeCreate"]["payment"]
    assert payment["status"] == "PAID" and payment["amountFen"] == 5_000
    assert payment["method"] == "CARD_PIN" and payment["payUrl"] is None
    assert await balance_of(sub.id) == 5_000

    for payload, code in [
        (recharge_input(sub.msisdn, None, **card), "CARD_USED"),
        (
            recharge_input(sub.msisdn, None, paymentMethod="CARD_PIN", cardPin="9" * 19),
            "CARD_INVALID",
        ),
        (recharge_input(sub.msisdn, None, paymentMethod="CARD_PIN", cardPin="123"), "CARD_INVALID"),
        (recharge_input(sub.msisdn, None, paymentMethod="CARD_PIN"), "CARD_INVALID"),
    ]:
        body = (await api.data(RECHARGE, input=payload))["rechargeCreate"]
        assert body["userErrors"][0]["code"] == code
    expired_pin = pin[:-1] + ("1" if pin[-1] != "1" else "2")
    await add_card(
        f"E-{expired_pin}", hash_card_pin(expired_pin), 5_000, hall_now() - timedelta(days=1)
    )
    body = await api.data(
        RECHARGE,
        input=recharge_input(sub.msisdn, None, paymentMethod="CARD_PIN", cardPin=expired_pin),
    )
    assert body["rechargeCreate"]["userErrors"][0]["code"] == "CARD_EXPIRED"
    assert await balance_of(sub.id) == 5_000

    # five payers race for one fresh card: exactly one wins
    race_pin = pin[:-2] + ("77" if pin[-2:] != "77" else "88")
    await add_card(f"R-{race_pin}", hash_card_pin(race_pin), 3_000, hall_now() + timedelta(days=1))
    other = await subscribe(services, balance_fen=0)
    results = await asyncio.gather(
        *(
            api.data(
                RECHARGE,
                input=recharge_input(
                    other.msisdn, 3_000, paymentMethod="CARD_PIN", cardPin=race_pin
                ),
            )
            for _ in range(5)
        )
    )
    won = [r for r in results if not r["rechargeCreate"]["userErrors"]]
    assert len(won) == 1
    assert {r["rechargeCreate"]["userErrors"][0]["code"] for r in results if r not in won} == {
        "CARD_USED"
    }
    assert await balance_of(other.id) == 3_000
    # PIN guessing is rate limited per client: 10 card attempts an hour
    await fresh_card_attempts(services)
    guess = recharge_input(sub.msisdn, None, paymentMethod="CARD_PIN", cardPin="8" * 19)
    codes = [
        (await api.data(RECHARGE, input={**guess, "idempotencyKey": key()}))["rechargeCreate"][
            "userErrors"
        ][0]["code"]
        for _ in range(11)
    ]
    assert codes == ["CARD_INVALID"] * 10 + ["RATE_LIMITED"]


async def test_recharge_history_pages_and_exports(api, services):
    sub = await subscribe(services, balance_fen=0)
    ids = []
    for amount in (1_000, 2_000, 3_000):
        payment = await _create(api, sub.msisdn, amount, token=sub.token)
        await api.data(COMPLETE, id=payment["id"], outcome="SUCCESS")
        ids.append(payment["id"])
    unpaid = await _create(api, sub.msisdn, 4_000)
    me = api.as_(sub.limited_token)
    page = (await me.data(RECHARGES, first=2))["me"]["recharges"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await me.data(RECHARGES, first=2, after=page["pageInfo"]["endCursor"]))["me"][
        "recharges"
    ]
    seen = [e["node"]["id"] for e in page["edges"] + rest["edges"]]
    assert sorted(seen) == sorted(ids) and unpaid["id"] not in seen
    assert rest["pageInfo"]["hasNextPage"] is False

    response = await api.client.get(
        "/recharges.csv", headers={"authorization": f"Bearer {sub.token}"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "充值时间" and len(rows) == 4
    assert sorted(r[1] for r in rows[1:]) == ["10.00", "20.00", "30.00"]
    assert (await api.client.get("/recharges.csv")).status_code == 401
    staff = await api.client.get("/recharges.csv", headers={"authorization": "Bearer forged"})
    assert staff.status_code == 401


AUTO_SET = """mutation($t: Int!, $a: Int!, $m: PaymentMethod!) {
  autoRechargeSet(input: {thresholdFen: $t, amountFen: $a, paymentMethod: $m}) {
    autoRecharge { enabled thresholdFen amountFen paymentMethod inFlight }
    userErrors { code field } } }"""
AUTO_OFF = "mutation { autoRechargeDisable { autoRecharge { enabled } userErrors { code } } }"


async def test_auto_recharge_settings(api, services, subscriber):
    me = api.as_(subscriber.token)
    body = (await me.data(AUTO_SET, t=2_000, a=5_000, m="WECHAT"))["autoRechargeSet"]
    assert body["autoRecharge"] == {
        "enabled": True,
        "thresholdFen": 2_000,
        "amountFen": 5_000,
        "paymentMethod": "WECHAT",
        "inFlight": False,
    }
    for t, a, m, code in [
        (-1, 5_000, "WECHAT", "INVALID_AMOUNT"),
        (2_000, 0, "ALIPAY", "INVALID_AMOUNT"),
        (2_000, 5_000, "CARD_PIN", "INVALID_METHOD"),
        (10**6, 5_000, "ALIPAY", "INVALID_AMOUNT"),
    ]:
        body = (await me.data(AUTO_SET, t=t, a=a, m=m))["autoRechargeSet"]
        assert body["userErrors"][0]["code"] == code
    limited = await api.as_(subscriber.limited_token)(AUTO_SET, t=1, a=100, m="ALIPAY")
    assert limited["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await me.data(AUTO_OFF))["autoRechargeDisable"]["autoRecharge"] == {"enabled": False}
    view = await api.as_(subscriber.limited_token).data(
        "{ me { autoRecharge { enabled thresholdFen } } }"
    )
    assert view["me"]["autoRecharge"] == {"enabled": False, "thresholdFen": 2_000}


async def test_auto_recharge_tops_up_once_when_rating_crosses_the_threshold(
    api, services, operator_token
):
    sub = await subscribe(services, plan_id="4G-76", balance_fen=2_100)
    await api.as_(sub.token).data(AUTO_SET, t=2_000, a=5_000, m="ALIPAY")
    at = now_in_cycle()
    # ¥2.00 of SMS: 21.00 → 19.00 < 20.00 → one auto top-up of ¥50, completed by the provider
    await api.as_(operator_token).data(INGEST, events=[sms(sub.msisdn, 20, at)])
    autos = await Payment.filter(subscriber_id=sub.id, trigger="AUTO")
    assert [(p.status, p.amount_fen) for p in autos] == [("PAID", 5_000)]
    assert await balance_of(sub.id) == 1_900 + 5_000

    # the provider holds auto-debits: concurrent drops below the threshold start exactly one
    provider = services.payments
    provider.auto_debit_completes = False
    try:
        await Subscriber.filter(id=sub.id).update(balance_fen=2_050)
        batches = [[sms(sub.msisdn, 1, at)] for _ in range(10)]
        await asyncio.gather(*(api.as_(operator_token).data(INGEST, events=b) for b in batches))
        in_flight = await Payment.filter(subscriber_id=sub.id, trigger="AUTO", status="CREATED")
        assert len(in_flight) == 1
        state = await api.as_(sub.token).data("{ me { autoRecharge { inFlight } } }")
        assert state["me"]["autoRecharge"]["inFlight"] is True
    finally:
        provider.auto_debit_completes = True
    done = await api.data(COMPLETE, id=str(in_flight[0].id), outcome="SUCCESS")
    assert done["dev"]["paymentComplete"]["result"] == "CREDITED"
    state = await api.as_(sub.token).data("{ me { autoRecharge { inFlight } } }")
    assert state["me"]["autoRecharge"]["inFlight"] is False
    assert await balance_of(sub.id) == 2_050 - 10 * 10 + 5_000

    await api.as_(sub.token).data(AUTO_OFF)
    await Subscriber.filter(id=sub.id).update(balance_fen=0)
    await api.as_(operator_token).data(INGEST, events=[sms(sub.msisdn, 1, at)])
    assert await Payment.filter(subscriber_id=sub.id, trigger="AUTO").count() == 2


async def test_sim_cashier_page(api, services):
    sub = await subscribe(services, balance_fen=0)
    payment = await _create(api, sub.msisdn, 1_500)
    page = await api.client.get(payment["payUrl"])
    assert page.status_code == 200 and "模拟收银台" in page.text
    paid = await api.client.post(
        payment["payUrl"],
        content=b"outcome=SUCCESS",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert paid.status_code == 200 and "CREDITED" in paid.text
    assert await balance_of(sub.id) == 1_500
