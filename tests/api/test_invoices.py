"""invoiceIssue for a bill or a recharge (once per source, numbered per year, tax split, PDF),
red-letter reversal by OPERATOR, and every order's acceptance form PDF."""

import io

import pytest
from pypdf import PdfReader

from db.models.billing import Bill, BillItem
from db.models.invoices import Invoice
from db.models.payments import Payment
from domain.billing import BillItemKind
from domain.calendar import local
from domain.payments import PaymentStatus
from tests.api.order_helpers import OUTBOX, PACK_PURCHASE, codes, new_key, orders_of
from tests.api.test_recharge_api import COMPLETE, recharge_input
from tests.billing_helpers import RECHARGE, prev_cycle
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar  # tenure, cycles, invoice years and the 1st of next month

ISSUE = """mutation($input: InvoiceIssueInput!) { invoiceIssue(input: $input) {
  invoice { number source status red title taxId amountFen netFen taxFen pdfUrl
    lines { name category rateBp amountFen netFen taxFen } }
  order { id kind summary acceptanceFormUrl } userErrors { code field message } } }"""
REVERSE = """mutation($n: String!, $r: String!) { invoiceReverse(number: $n, reason: $r) {
  invoice { number red amountFen taxFen status } userErrors { code field message } } }"""


def issue_input(source, source_id, **extra):
    return {
        "source": source,
        "sourceId": source_id,
        "title": "北京某某科技有限公司",
        "taxId": "91110108MA01ABCD2X",
        "idempotencyKey": new_key(),
        **extra,
    }


async def issued_bill(subscriber_id: int) -> Bill:
    bill = await Bill.create(
        subscriber_id=subscriber_id,
        cycle=prev_cycle(),
        plan_name="4G全国套餐 136元",
        total_fen=13_600 + 600 + 165,
        balance_after_fen=1_000,
        issued_at=hall_now(),
    )
    for pos, (kind, name, fen) in enumerate(
        [
            (BillItemKind.MONTHLY_FEE, "套餐月费", 13_600),
            (BillItemKind.VALUE_ADDED, "视频彩铃", 600),
            (BillItemKind.VOICE_OVERAGE, "语音超出", 165),
        ]
    ):
        await BillItem.create(bill=bill, position=pos, kind=kind, name=name, amount_fen=fen)
    return bill


async def pdf_text(api, token, url) -> str:
    response = await api.client.get(url, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


async def test_a_bill_invoice_splits_tax_per_line_once_per_bill(api, services):
    sub = await subscribe(services)
    await issued_bill(sub.id)
    me = api.as_(sub.token)
    out = (await me.data(ISSUE, input=issue_input("BILL", prev_cycle())))["invoiceIssue"]
    assert out["userErrors"] == []
    invoice = out["invoice"]
    assert invoice["amountFen"] == 14_365
    assert invoice["netFen"] + invoice["taxFen"] == 14_365
    by_name = {x["name"]: x for x in invoice["lines"]}
    assert by_name["套餐月费"]["rateBp"] == 900 and by_name["套餐月费"]["taxFen"] == 1_123
    assert by_name["视频彩铃"]["rateBp"] == 600 and by_name["视频彩铃"]["taxFen"] == 34
    assert out["order"]["kind"] == "INVOICE"
    assert out["order"]["acceptanceFormUrl"] == f"/orders/{out['order']['id']}/acceptance.pdf"
    again = (await me.data(ISSUE, input=issue_input("BILL", prev_cycle())))["invoiceIssue"]
    assert again["invoice"]["number"] == invoice["number"]
    assert await Invoice.filter(subscriber_id=sub.id).count() == 1
    assert len([o for o in await orders_of(sub.id) if o.kind.value == "INVOICE"]) == 1
    text = await pdf_text(api, sub.token, invoice["pdfUrl"])
    assert invoice["number"] in text and "143.65" in text and "11.23" in text
    outbox = (await api.data(OUTBOX, m=sub.msisdn))["dev"]["outbox"]
    assert [n for n in outbox if n["kind"] == "ORDER_INVOICE" and invoice["number"] in n["text"]]


async def test_numbers_are_sequential_within_the_year(api, services):
    numbers = []
    for _ in range(2):
        sub = await subscribe(services)
        await issued_bill(sub.id)
        out = await api.as_(sub.token).data(ISSUE, input=issue_input("BILL", prev_cycle()))
        numbers.append(out["invoiceIssue"]["invoice"]["number"])
    assert numbers[0][:4] == numbers[1][:4] == str(local(hall_now()).year)
    assert int(numbers[1]) > int(numbers[0])


async def test_bad_invoice_requests_change_nothing(api, services):
    sub = await subscribe(services)
    other = await subscribe(services)
    await issued_bill(other.id)
    me = api.as_(sub.token)
    theirs = (await me.data(ISSUE, input=issue_input("BILL", prev_cycle())))["invoiceIssue"]
    assert codes(theirs) == ["NOT_FOUND"]
    await issued_bill(sub.id)
    bad_tax = issue_input("BILL", prev_cycle(), taxId="12345")
    assert codes((await me.data(ISSUE, input=bad_tax))["invoiceIssue"]) == ["INVALID_TAX_ID"]
    assert await Invoice.filter(subscriber_id=sub.id).count() == 0
    assert await orders_of(sub.id) == []
    limited = await api.as_(sub.limited_token)(ISSUE, input=issue_input("BILL", prev_cycle()))
    assert limited["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_refunded_recharge_invoice_is_reversed_by_an_operator(
    api, services, operator_token
):
    sub = await subscribe(services)
    body = await api.data(RECHARGE, input=recharge_input(sub.msisdn, 5_000))
    payment_id = body["rechargeCreate"]["payment"]["id"]
    await api.data(COMPLETE, id=payment_id, outcome="SUCCESS")
    me = api.as_(sub.token)
    out = await me.data(ISSUE, input=issue_input("RECHARGE", payment_id, taxId=None))
    invoice = out["invoiceIssue"]["invoice"]
    assert invoice["amountFen"] == 5_000 and invoice["taxFen"] == 413
    refused = await api.as_(operator_token).data(REVERSE, n=invoice["number"], r="退款")
    assert codes(refused["invoiceReverse"]) == ["INVOICE_NOT_REVERSIBLE"]  # not refunded
    await Payment.filter(id=payment_id).update(status=PaymentStatus.REFUNDED)
    red = await api.as_(operator_token).data(REVERSE, n=invoice["number"], r="退款")
    red = red["invoiceReverse"]
    assert red["userErrors"] == [] and red["invoice"]["red"] is True
    assert red["invoice"]["amountFen"] == -5_000 and red["invoice"]["taxFen"] == -413
    again = await api.as_(operator_token).data(REVERSE, n=invoice["number"], r="退款")
    assert codes(again["invoiceReverse"]) == ["INVOICE_NOT_REVERSIBLE"]
    staff_only = await me(REVERSE, n=invoice["number"], r="x")
    assert staff_only["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    text = await pdf_text(api, sub.token, f"/invoices/{red['invoice']['number']}.pdf")
    assert "-50.00" in text


async def test_every_order_has_an_acceptance_form(api, services):
    sub = await subscribe(services, balance_fen=5_000)
    me = api.as_(sub.token)
    out = (await me.data(PACK_PURCHASE, pack="ADD-7D-1G", key=new_key()))["packPurchase"]
    (order,) = await orders_of(sub.id)
    url = f"/orders/{order.id}/acceptance.pdf"
    text = await pdf_text(api, sub.token, url)
    assert "10.00" in text and str(order.id) in text
    assert out["order"]["id"] == str(order.id)
    other = await subscribe(services)
    response = await api.client.get(url, headers={"authorization": f"Bearer {other.token}"})
    assert response.status_code == 404
