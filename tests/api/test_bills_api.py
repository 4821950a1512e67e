from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from db.models.billing import Bill
from db.models.ledger import BalanceEntry
from db.models.orders import Order
from domain.calendar import cycle_bounds
from domain.orders import OrderKind, OrderStatus
from tests.billing_helpers import (
    INGEST,
    backdate,
    balance_of,
    data,
    in_cycle,
    prev_cycle,
    sms,
    this_cycle,
    value_added,
    voice,
)
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar

CLOSE = """mutation($cycle: String!, $msisdn: String) {
  billingClose(input: {cycle: $cycle, msisdn: $msisdn}) {
    run { cycle billsIssued alreadyBilled totalFen } userErrors { code field message } } }"""
BILL = """query($cycle: String!) { me { bill(cycle: $cycle) {
  cycle status totalFen periodStart periodEnd issuedAt planName balanceAfterFen pdfUrl
  items { kind name amountFen } } } }"""
BILLS = """query($last: Int!) { me { bills(last: $last) {
  cycle status totalFen pdfUrl items { kind amountFen } } } }"""


async def _billed_subscriber(api, services, operator_token):
    """A subscriber with last month's usage (voice, SMS, data and value-added overage) and a
    discounted pack bought last month."""
    sub = await subscribe(services, plan_id="4G-76", balance_fen=50_000)  # 200 min, 400 MB
    await backdate(sub.id)
    cycle = prev_cycle()
    _start, _ = cycle_bounds(cycle)
    at = in_cycle(cycle)
    mb = 1024 * 1024
    events = [
        voice(sub.msisdn, 150 * 60, at),
        voice(sub.msisdn, 60 * 60 + 1, in_cycle(cycle, 70)),  # 61 min: 11 over → ¥1.65
        sms(sub.msisdn, 3, at),  # no SMS allowance → ¥0.30
        data(sub.msisdn, 450 * mb, at),  # 50 MB over → ¥15.00
        value_added(sub.msisdn, 500, at, "视频彩铃"),
    ]
    body = (await api.as_(operator_token).data(INGEST, events=events))["usageIngest"]
    assert body["rated"] == 5, body
    await Order.create(
        subscriber_id=sub.id,
        kind=OrderKind.PACK_PURCHASE,
        status=OrderStatus.COMPLETED,
        idempotency_key=f"pack-{sub.id}",
        list_price_fen=1_000,
        final_price_fen=900,
        pricing={
            "lines": [{"name": "7天流量包 1GB", "list_price_fen": 1_000, "final_price_fen": 900}]
        },
        created_at=at,
    )
    return sub, cycle


async def test_billing_run_issues_itemised_bills_and_charges_the_fee(api, services, operator_token):
    sub, cycle = await _billed_subscriber(api, services, operator_token)
    me = api.as_(sub.token)
    before = await balance_of(sub.id)
    assert before == 50_000 - 165 - 30 - 1_500 - 500

    pending = (await me.data(BILL, cycle=cycle))["me"]["bill"]
    assert pending["status"] == "PENDING" and pending["totalFen"] is None and pending["items"] == []
    assert pending["pdfUrl"] is None

    run = (await api.as_(operator_token).data(CLOSE, cycle=cycle, msisdn=sub.msisdn))[
        "billingClose"
    ]
    assert run["userErrors"] == []
    assert run["run"]["billsIssued"] == 1 and run["run"]["alreadyBilled"] == 0
    bill = (await me.data(BILL, cycle=cycle))["me"]["bill"]
    assert bill["status"] == "ISSUED" and bill["planName"] == "4G全国套餐 76元"
    items = {i["kind"]: i["amountFen"] for i in bill["items"]}
    assert items == {
        "MONTHLY_FEE": 7_600,
        "PACK": 1_000,
        "VOICE_OVERAGE": 165,
        "SMS_OVERAGE": 30,
        "DATA_OVERAGE": 1_500,
        "VALUE_ADDED": 500,
        "DISCOUNT": -100,
    }
    assert bill["totalFen"] == sum(i["amountFen"] for i in bill["items"]) == 10_695
    assert bill["pdfUrl"] == f"/bills/{cycle}.pdf"
    # the run charged only the monthly fee: usage was charged when rated, the pack when bought
    assert await balance_of(sub.id) == before - 7_600 == bill["balanceAfterFen"]
    fee = await BalanceEntry.filter(subscriber_id=sub.id, reason="MONTHLY_FEE")
    assert [e.delta_fen for e in fee] == [-7_600]

    again = (await api.as_(operator_token).data(CLOSE, cycle=cycle, msisdn=sub.msisdn))[
        "billingClose"
    ]
    assert again["run"]["billsIssued"] == 0 and again["run"]["alreadyBilled"] == 1
    assert await balance_of(sub.id) == before - 7_600

    listed = (await me.data(BILLS, last=3))["me"]["bills"]
    # joined 70 days ago: two ended cycles were in service
    assert [b["cycle"] for b in listed] == [cycle, prev_cycle(back=2)]
    assert listed[0]["status"] == "ISSUED" and listed[0]["totalFen"] == 10_695
    assert {b["status"] for b in listed[1:]} == {"PENDING"}  # in service, never billed

    # late usage for a billed cycle is not rated into it
    late = (
        await api.as_(operator_token).data(INGEST, events=[sms(sub.msisdn, 1, in_cycle(cycle, 80))])
    )["usageIngest"]
    assert late["userErrors"][0]["code"] == "CYCLE_CLOSED"

    # the e-bill PDF, for the logged-in subscriber only
    response = await api.client.get(
        f"/bills/{cycle}.pdf", headers={"authorization": f"Bearer {sub.limited_token}"}
    )
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in (
        "电子账单",
        "套餐月费 4G全国套餐 76元",
        "语音通话超出套餐",
        "上网流量超出套餐",
        "7天流量包 1GB",
        "优惠减免",
        "本期费用合计",
        "106.95",
        sub.msisdn,
    ):
        assert expected in text, expected
    other = await subscribe(services)
    response = await api.client.get(
        f"/bills/{cycle}.pdf", headers={"authorization": f"Bearer {other.token}"}
    )
    assert response.status_code == 404
    response = await api.client.get(f"/bills/{cycle}.pdf")
    assert response.status_code == 401
    response = await api.client.get(
        "/bills/2026-13.pdf", headers={"authorization": f"Bearer {sub.token}"}
    )
    assert response.status_code == 400 and response.json()["error"] == "INVALID_CYCLE"


async def test_open_cycle_shows_real_time_charges(api, services, operator_token):
    sub = await subscribe(services, plan_id="4G-76")
    await api.as_(operator_token).data(INGEST, events=[sms(sub.msisdn, 2, in_cycle(this_cycle()))])
    bill = (await api.as_(sub.token).data(BILL, cycle=this_cycle()))["me"]["bill"]
    assert bill["status"] == "OPEN" and bill["totalFen"] == 7_600 + 20
    assert {i["kind"] for i in bill["items"]} == {"MONTHLY_FEE", "SMS_OVERAGE"}
    future = (await api.as_(sub.token).data(BILL, cycle="2099-01"))["me"]["bill"]
    assert future is None
    before_joining = (await api.as_(sub.token).data(BILL, cycle=prev_cycle()))["me"]["bill"]
    assert before_joining is None
    bad = await api.as_(sub.token)(BILL, cycle="last month")
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CYCLE"
    bad = await api.as_(sub.token)(BILLS, last=13)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_billing_close_refuses_an_open_cycle_and_needs_an_operator(
    api, operator_token, subscriber
):
    body = (await api.as_(operator_token).data(CLOSE, cycle=this_cycle()))["billingClose"]
    assert body["userErrors"][0]["code"] == "CYCLE_NOT_ENDED"
    body = (await api.as_(operator_token).data(CLOSE, cycle="20-10"))["billingClose"]
    assert body["userErrors"][0]["code"] == "INVALID_CYCLE"
    denied = await api.as_(subscriber.token)(CLOSE, cycle=prev_cycle())
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_arrears_past_the_credit_limit_suspend(api, services, operator_token):
    sub = await subscribe(services, plan_id="4G-76", balance_fen=100, credit_limit_fen=50)
    at = in_cycle(this_cycle())
    # ¥0.10 × 20 = ¥2.00 → balance -¥1.00 < -¥0.50
    await api.as_(operator_token).data(INGEST, events=[sms(sub.msisdn, 20, at)])
    me = (await api.as_(sub.token).data("{ me { status balance { amountFen } } }"))["me"]
    assert me == {"status": "SUSPENDED", "balance": {"amountFen": -100}}
    outbox = await api.data(
        "query($m: String!) { dev { outbox(msisdn: $m) { kind } } }", m=sub.msisdn
    )
    assert "SUSPENDED" in [m["kind"] for m in outbox["dev"]["outbox"]]


def run_cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TELEHALL_DATABASE_URL": settings.resolved_database_url,
        "TELEHALL_REDIS_URL": settings.redis_url,
        "TELEHALL_REDIS_PREFIX": settings.redis_prefix,
        "TELEHALL_DATA_DIR": str(settings.data_dir),
        "TELEHALL_ENV": "test",
        "TELEHALL_CLOCK_START": hall_now().isoformat(),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "COLUMNS": "120",
    }
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )


async def test_cli_usage_import_and_billing_close(settings, services, tmp_path):
    import asyncio
    import json

    from resolvers.usage import to_csv

    sub = await subscribe(services, plan_id="4G-76", balance_fen=20_000)
    await backdate(sub.id)
    cycle = prev_cycle()
    rows = [sms(sub.msisdn, 1, in_cycle(cycle, 30 + i)) for i in range(30)]
    csv_file = tmp_path / "usage.csv"
    csv_file.write_text(to_csv(rows[:20]), encoding="utf-8")
    jsonl = tmp_path / "usage.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(r) for r in rows[10:]) + '\n{"eventId": "broken"}\nnot json\n',
        encoding="utf-8",
    )
    done = await asyncio.to_thread(run_cli, settings, "usage", "import", str(csv_file))
    assert done.returncode == 0, done.stderr + done.stdout
    assert "rated 20, duplicates 0, rejected 0" in done.stdout
    done = await asyncio.to_thread(run_cli, settings, "usage", "import", str(jsonl))
    assert done.returncode == 2, done.stderr + done.stdout
    assert "rated 10, duplicates 10, rejected 2" in done.stdout
    assert "line 22" in done.stdout  # the broken line is named
    assert await balance_of(sub.id) == 20_000 - 30 * 10

    done = await asyncio.to_thread(
        run_cli, settings, "billing", "close", "--cycle", cycle, "--msisdn", sub.msisdn
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "1 bills issued" in done.stdout
    bill = await Bill.get(subscriber_id=sub.id, cycle=cycle)
    assert bill.total_fen == 7_600 + 300
    done = await asyncio.to_thread(run_cli, settings, "billing", "close", "--cycle", this_cycle())
    assert done.returncode == 2 and "CYCLE_NOT_ENDED" in done.stdout


async def test_a_recurring_fee_promotion_priced_into_the_order_reaches_the_bill(
    api, services, operator_token
):
    """The order that put the subscriber on the plan promised a lower fee for this month (a
    RECURRING campaign in its schedule): the bill shows it and the run charges only that."""
    sub = await subscribe(services, plan_id="4G-76", balance_fen=20_000)
    await backdate(sub.id)
    cycle = prev_cycle()
    start, _ = cycle_bounds(cycle)
    await Order.create(
        subscriber_id=sub.id,
        kind=OrderKind.PLAN_CHANGE,
        status=OrderStatus.COMPLETED,
        idempotency_key=f"plan-{sub.id}",
        list_price_fen=7_600,
        final_price_fen=3_800,
        effective_from=start,
        details={"plan_id": "4G-76"},
        pricing={
            "schedule": [
                {"month": cycle, "price_fen": 3_800},
                {"month": "2099-01", "price_fen": 7_600},
            ]
        },
    )
    run = (await api.as_(operator_token).data(CLOSE, cycle=cycle, msisdn=sub.msisdn))[
        "billingClose"
    ]
    assert run["run"]["billsIssued"] == 1
    bill = (await api.as_(sub.token).data(BILL, cycle=cycle))["me"]["bill"]
    items = [(i["kind"], i["name"], i["amountFen"]) for i in bill["items"]]
    assert items[:2] == [
        ("MONTHLY_FEE", "套餐月费 4G全国套餐 76元", 7_600),
        ("DISCOUNT", "月费优惠", -3_800),
    ]
    assert bill["totalFen"] == 3_800
    assert await balance_of(sub.id) == 20_000 - 3_800
