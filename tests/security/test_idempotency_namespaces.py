"""Finding 4: `packPurchase(idempotencyKey: "payment:<paymentId>")` sent before the provider paid
made the callback answer 409 TXN_REUSED: the payment stayed CREATED and the payer's money was
taken. And a second anonymous payer with the same key and payload received the first payer's
payment id and payUrl. Internal keys now live in a namespace clients cannot write, and
anonymous payers are scoped by their own client token."""

import asyncio
import secrets

import pytest

from domain.idempotency import INTERNAL_PREFIX
from tests.api.order_helpers import PACK_PURCHASE
from tests.billing_helpers import RECHARGE, balance_of, key
from tests.conftest import subscribe

pytestmark = pytest.mark.calendar

COMPLETE = """mutation($id: ID!) {
  dev { paymentComplete(paymentId: $id, outcome: SUCCESS) { httpStatus result error } } }"""


def _recharge(msisdn: str, idempotency_key: str, **extra) -> dict:
    return {
        "msisdn": msisdn,
        "amountFen": 5_000,
        "channel": "WEB",
        "paymentMethod": "ALIPAY",
        "idempotencyKey": idempotency_key,
        **extra,
    }


async def test_a_client_key_cannot_take_a_payments_internal_key(api, services):
    sub = await subscribe(services, balance_fen=10_000)
    body = await api.data(RECHARGE, input=_recharge(sub.msisdn, key()))
    payment_id = body["rechargeCreate"]["payment"]["id"]
    # the attack: the subscriber squats the keys the callback's recharge order would use
    squat = await api.as_(sub.token).data(
        PACK_PURCHASE, pack="ADD-7D-1G", key=f"payment:{payment_id}"
    )
    assert squat["packPurchase"]["userErrors"] == []  # a client's key: accepted, harmless now
    before = await balance_of(sub.id)
    done = (await api.data(COMPLETE, id=payment_id))["dev"]["paymentComplete"]
    assert done == {"httpStatus": 200, "result": "CREDITED", "error": None}
    assert await balance_of(sub.id) == before + 5_000


async def test_reserved_prefix_is_refused_to_clients(api, services):
    sub = await subscribe(services)
    reserved = f"{INTERNAL_PREFIX}payment:{secrets.token_hex(4)}"
    out = await api.as_(sub.token).data(PACK_PURCHASE, pack="ADD-7D-1G", key=reserved)
    assert out["packPurchase"]["userErrors"][0]["code"] == "INVALID_IDEMPOTENCY_KEY"
    body = await api.data(RECHARGE, input=_recharge(sub.msisdn, reserved))
    assert body["rechargeCreate"]["userErrors"][0]["code"] == "INVALID_IDEMPOTENCY_KEY"


async def test_anonymous_payers_do_not_share_a_namespace(api, services):
    sub = await subscribe(services)
    shared_key = key()
    first = (await api.data(RECHARGE, input=_recharge(sub.msisdn, shared_key)))["rechargeCreate"]
    second = (await api.data(RECHARGE, input=_recharge(sub.msisdn, shared_key)))["rechargeCreate"]
    assert first["payment"]["id"] != second["payment"]["id"]
    assert first["payment"]["payUrl"] != second["payment"]["payUrl"]


async def test_one_anonymous_client_token_replays_its_own_key_only(api, services):
    sub = await subscribe(services)
    mine, theirs = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    shared_key = key()
    calls = [
        api.data(RECHARGE, input=_recharge(sub.msisdn, shared_key, clientToken=token))
        for token in (mine, mine, theirs)
    ]
    a, b, c = [r["rechargeCreate"]["payment"]["id"] for r in await asyncio.gather(*calls)]
    assert a == b != c
    bad = await api.data(RECHARGE, input=_recharge(sub.msisdn, key(), clientToken="short"))
    assert bad["rechargeCreate"]["userErrors"][0]["code"] == "CLIENT_TOKEN_REQUIRED"
