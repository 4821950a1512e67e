"""/bills/export.xlsx?last=N: a summary sheet and one sheet per month, amounts as numbers in yuan
with two decimals, read back with openpyxl."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from db.models.billing import Bill, BillItem
from domain.billing import BillItemKind
from tests.billing_helpers import backdate, prev_cycle
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar


async def get(api, token, url):
    return await api.client.get(url, headers={"authorization": f"Bearer {token}"})


async def test_the_workbook_has_a_summary_and_a_sheet_per_month(api, services):
    sub = await subscribe(services)
    await backdate(sub.id, ended_cycles=3)
    last = prev_cycle()
    bill = await Bill.create(
        subscriber_id=sub.id,
        cycle=last,
        plan_name="4G全国套餐 136元",
        total_fen=13_765,
        balance_after_fen=-235,
        issued_at=hall_now(),
    )
    await BillItem.create(
        bill=bill, position=0, kind=BillItemKind.MONTHLY_FEE, name="套餐月费", amount_fen=13_600
    )
    await BillItem.create(
        bill=bill, position=1, kind=BillItemKind.VOICE_OVERAGE, name="语音超出", amount_fen=165
    )
    response = await get(api, sub.limited_token, "/bills/export.xlsx?last=6")  # reading bills
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "汇总"
    assert len(book.sheetnames) == 1 + 3  # in service for 3 ended cycles
    assert last in book.sheetnames
    month = book[last]
    rows = {r[0]: r for r in month.iter_rows(values_only=True) if r and r[0]}
    assert rows["套餐月费"][2] == Decimal("136.00") or rows["套餐月费"][2] == 136
    assert isinstance(rows["语音超出"][2], (int, float, Decimal)) and rows["语音超出"][2] == 1.65
    assert rows["本期费用合计"][2] == 137.65
    assert month["C5"].number_format == "0.00"
    summary = {r[0]: r for r in book["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert summary[last][3] == 137.65 and summary[last][4] == -2.35


async def test_bad_requests(api, services):
    sub = await subscribe(services)
    assert (await get(api, sub.token, "/bills/export.xlsx?last=13")).status_code == 400
    assert (await get(api, sub.token, "/bills/export.xlsx?last=x")).status_code == 400
    assert (await api.client.get("/bills/export.xlsx")).status_code == 401
