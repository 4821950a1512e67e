"""Refunds the payment provider refused, for operators: `flashRefundsPending` lists them with
the provider's refusal, `flashRefundRetry` asks again under the refund's own id (recorded with
who asked and what the provider said), once per idempotencyKey, never paying twice; the CLI does
the same."""

from __future__ import annotations

import asyncio

from db.models.orders import Order
from db.models.payments import Payment, PaymentRefund, RefundRetry
from resolvers.flash.reap import reap
from resolvers.flash.refunds import refund_retry
from tests.api.flash_helpers import COMPLETE, PAY, buy, create_sale, key
from tests.api.test_flash_sales import at
from tests.conftest import subscribe

PENDING = """query($after: String) { flashRefundsPending(first: 100, after: $after) {
  nodes { id paymentId orderId msisdn amountFen reason status failureCode }
  pageInfo { hasNextPage endCursor } } }"""
RETRY = """mutation($id: ID!, $key: String!) { flashRefundRetry(id: $id, idempotencyKey: $key) {
  refund { id status failureCode } outcome userErrors { code field } } }"""


async def _refused_refund(api, services, clock, marketing_token) -> tuple[PaymentRefund, object]:
    """A late WECHAT payment whose refund the provider refuses (its merchant account is short)."""
    sale = await create_sale(
        api, marketing_token, clock.now(), unitsTotal=1, perSubscriberLimit=1,
        payWithinSeconds=60, salePriceFen=6_600,
    )  # fmt: skip
    a = await subscribe(services)
    clock.set(at(sale))
    r = (await buy(api, a.token, sale["id"]))["reservation"]
    started = (await api.as_(a.token).data(PAY, id=r["id"], method="WECHAT", key=key()))[
        "flashSalePay"
    ]
    clock.set(at(sale, 61))
    await reap(services)
    services.payments.refusing = "SELLER_BALANCE_NOT_ENOUGH"
    try:
        await api.data(COMPLETE, id=started["paymentId"])
    finally:
        services.payments.refusing = None
    return await PaymentRefund.get(payment_id=started["paymentId"]), a


async def _all_pending(api, token) -> list[dict]:
    found, after = [], None
    while True:
        page = (await api.as_(token).data(PENDING, after=after))["flashRefundsPending"]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def test_an_operator_sees_a_refused_refund_and_retries_it_once(
    api, services, clock, marketing_token, operator_token
):
    refund, buyer = await _refused_refund(api, services, clock, marketing_token)
    assert refund.status == "REFUSED" and refund.failure_code == "SELLER_BALANCE_NOT_ENOUGH"
    listed = {n["id"]: n for n in await _all_pending(api, operator_token)}
    shown = listed[str(refund.id)]
    assert shown["status"] == "REFUSED" and shown["failureCode"] == "SELLER_BALANCE_NOT_ENOUGH"
    assert shown["amountFen"] == 6_600 and shown["msisdn"] == buyer.msisdn
    assert shown["reason"] == "PAID_AFTER_DEADLINE" and shown["orderId"]

    # still refused: recorded, the refund stays for the next try
    services.payments.refusing = "SELLER_BALANCE_NOT_ENOUGH"
    try:
        first = await api.as_(operator_token).data(RETRY, id=str(refund.id), key="r-1")
    finally:
        services.payments.refusing = None
    first = first["flashRefundRetry"]
    assert first["userErrors"] == [] and first["outcome"] == "REFUSED"
    # the provider can pay now, but the same key answers as the first time and asks nothing
    same = await api.as_(operator_token).data(RETRY, id=str(refund.id), key="r-1")
    assert same["flashRefundRetry"]["outcome"] == "REFUSED"
    assert (await PaymentRefund.get(id=refund.id)).status == "REFUSED"

    done = await api.as_(operator_token).data(RETRY, id=str(refund.id), key="r-2")
    done = done["flashRefundRetry"]
    assert done["outcome"] == "SUCCEEDED" and done["refund"]["status"] == "SUCCEEDED"
    assert done["refund"]["failureCode"] is None
    settled = await PaymentRefund.get(id=refund.id)
    assert services.payments.refunds[str(refund.id)][1:] == (6_600, settled.provider_refund_id)
    payment = await Payment.get(id=settled.payment_id)  # type: ignore[attr-defined]
    assert payment.status.value == "REFUNDED"
    assert (await Order.get(id=payment.reference)).status.value == "REFUNDED"
    assert str(refund.id) not in {n["id"] for n in await _all_pending(api, operator_token)}
    again = await api.as_(operator_token).data(RETRY, id=str(refund.id), key="r-3")
    assert again["flashRefundRetry"]["outcome"] == "SUCCEEDED"  # nothing more to pay
    retries = await RefundRetry.filter(refund_id=refund.id).order_by("id")
    assert [(r.idempotency_key, r.outcome, r.actor) for r in retries] == [
        ("r-1", "REFUSED", "operator"), ("r-2", "SUCCEEDED", "operator"),
        ("r-3", "SUCCEEDED", "operator"),
    ]  # fmt: skip
    assert retries[0].failure_code == "SELLER_BALANCE_NOT_ENOUGH"
    reused = await api.as_(operator_token).data(RETRY, id=str(payment.id), key="r-1")
    assert [e["code"] for e in reused["flashRefundRetry"]["userErrors"]] == ["NOT_FOUND"]


async def test_concurrent_retries_pay_once(api, services, clock, marketing_token):
    refund, _ = await _refused_refund(api, services, clock, marketing_token)
    answers = await asyncio.gather(
        *(refund_retry(services, str(refund.id), 1, "operator", f"c-{i}") for i in range(4))
    )
    assert {a.outcome for a in answers} == {"SUCCEEDED"}
    paid = [v for v in services.payments.refunds.values() if v[0] == str(refund.payment_id)]  # type: ignore[attr-defined]
    assert len(paid) == 1 and paid[0][1] == 6_600
    assert services.payments._refunded_fen[str(refund.payment_id)] == 6_600  # type: ignore[attr-defined]


async def test_staff_only(api, services, clock, marketing_token):
    refund, buyer = await _refused_refund(api, services, clock, marketing_token)
    denied = await api.as_(marketing_token)(RETRY, id=str(refund.id), key="m-1")
    assert denied.get("errors") and (await PaymentRefund.get(id=refund.id)).status == "REFUSED"
    assert (await api.as_(buyer.token)(PENDING)).get("errors")


async def test_the_cli_lists_and_retries_a_refused_refund(
    api, settings, services, clock, marketing_token
):
    from tests.api.test_flash_cli import run_flash

    refund, _ = await _refused_refund(api, services, clock, marketing_token)
    listed = await asyncio.to_thread(run_flash, settings, clock.now(), "refunds")
    assert listed.returncode == 0, listed.stderr + listed.stdout
    assert str(refund.id) in listed.stdout and "SELLER_BALANCE_NOT_ENOUGH" in listed.stdout
    done = await asyncio.to_thread(
        run_flash, settings, clock.now(), "refund-retry", str(refund.id), "--key", "cli-1"
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert f"refund {refund.id}: SUCCEEDED" in done.stdout
    assert (await PaymentRefund.get(id=refund.id)).status == "SUCCEEDED"
    retry = await RefundRetry.get(refund_id=refund.id)
    assert retry.actor.startswith("cli:") and retry.outcome == "SUCCEEDED"
