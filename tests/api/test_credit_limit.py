"""creditLimitQuote / creditLimitAdjust / me.creditLimitHistory; arrears past the limit suspend,
a recharge back within it reactivates."""

from datetime import timedelta

import pytest

from db.models.accounts import Subscriber
from domain.accounts import SubscriberStatus
from tests.api.order_helpers import OUTBOX, codes, new_key, orders_of
from tests.api.test_recharge_api import COMPLETE, recharge_input
from tests.billing_helpers import INGEST, RECHARGE, voice
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar  # tenure, cycles, invoice years and the 1st of next month

QUOTE = "{ creditLimitQuote { maxFen currentFen reasons } }"
ADJUST = (
    "mutation($fen: Int!, $key: String!) { creditLimitAdjust(amountFen: $fen, idempotencyKey: $key)"
    " { order { id kind summary } userErrors { code field message } } }"
)
HISTORY = (
    "{ me { balance { creditLimitFen } creditLimitHistory(first: 10) "
    "{ nodes { fromFen toFen changedAt order { kind } } } } }"
)


async def veteran(services, months=13, **kw):
    sub = await subscribe(services, real_name="赵六", **kw)
    await Subscriber.filter(id=sub.id).update(joined_at=hall_now() - timedelta(days=31 * months))
    return sub


async def test_quote_adjust_history_and_notice(api, services):
    sub = await veteran(services)
    me = api.as_(sub.token)
    quote = (await me.data(QUOTE))["creditLimitQuote"]
    assert quote["maxFen"] == 10_000 and quote["currentFen"] == 0 and quote["reasons"]
    key = new_key()
    out = (await me.data(ADJUST, fen=8_000, key=key))["creditLimitAdjust"]
    assert out["userErrors"] == [] and out["order"]["kind"] == "CREDIT_LIMIT"
    again = (await me.data(ADJUST, fen=8_000, key=key))["creditLimitAdjust"]
    assert again["order"]["id"] == out["order"]["id"]
    got = (await me.data(HISTORY))["me"]
    assert got["balance"]["creditLimitFen"] == 8_000
    assert [(n["fromFen"], n["toFen"]) for n in got["creditLimitHistory"]["nodes"]] == [(0, 8_000)]
    outbox = (await api.data(OUTBOX, m=sub.msisdn))["dev"]["outbox"]
    assert [n for n in outbox if n["kind"] == "ORDER_CREDIT_LIMIT" and "¥80.00" in n["text"]]


async def test_above_the_quote_is_refused_and_changes_nothing(api, services):
    sub = await veteran(services)
    me = api.as_(sub.token)
    out = (await me.data(ADJUST, fen=10_100, key=new_key()))["creditLimitAdjust"]
    assert codes(out) == ["CREDIT_LIMIT_EXCEEDS_QUOTE"]
    assert (await Subscriber.get(id=sub.id)).credit_limit_fen == 0
    assert await orders_of(sub.id) == []


async def test_limited_sessions_may_quote_but_not_adjust(api, services):
    sub = await veteran(services)
    limited = api.as_(sub.limited_token)
    assert (await limited.data(QUOTE))["creditLimitQuote"]["maxFen"] == 10_000
    body = await limited(ADJUST, fen=1_000, key=new_key())
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await orders_of(sub.id) == []


async def test_the_limit_sets_suspension_and_a_recharge_within_it_reactivates(
    api, services, operator_token
):
    sub = await veteran(services, balance_fen=0)
    me = api.as_(sub.token)
    assert (await me.data(ADJUST, fen=5_000, key=new_key()))["creditLimitAdjust"][
        "userErrors"
    ] == []
    at = hall_now()
    for hours in (10, 10, 10):  # far beyond any plan's minutes
        await api.as_(operator_token).data(INGEST, events=[voice(sub.msisdn, hours * 3600, at)])
    row = await Subscriber.get(id=sub.id)
    assert row.balance_fen < -5_000 and row.status is SubscriberStatus.SUSPENDED
    # Back within the limit (still below zero) is back in service.
    amount = -row.balance_fen - 4_000
    body = await api.data(RECHARGE, input=recharge_input(sub.msisdn, amount))
    payment = body["rechargeCreate"]["payment"]
    done = (await api.data(COMPLETE, id=payment["id"], outcome="SUCCESS"))["dev"]["paymentComplete"]
    assert done["result"] == "CREDITED"
    row = await Subscriber.get(id=sub.id)
    assert (row.balance_fen, row.status) == (-4_000, SubscriberStatus.ACTIVE)
