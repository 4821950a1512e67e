"""End to end: a recurring campaign priced into a combo order is what the bills of the promised
months charge: quote → order → the change takes effect on the 1st → billing run."""

from datetime import datetime

from db.models.billing import BillItem
from db.repositories.billing import close_cycle
from db.repositories.plan_changes import apply_due_changes
from domain.calendar import SHANGHAI
from tests.api.order_helpers import BUNDLE_ORDER, balance_of, freeze
from tests.conftest import subscribe

ORDERED = datetime(2026, 11, 25, 10, tzinfo=SHANGHAI)  # during 岁末感恩季 2026 (seeded)


async def test_recurring_combo_discount_is_charged_by_the_billing_run(api, services, monkeypatch):
    sub = await subscribe(services, plan_id="4G-136", balance_fen=100_000)
    freeze(monkeypatch, ORDERED)
    out = (
        await api.as_(sub.token).data(BUNDLE_ORDER, input={"dataPackId": "DATA-6G"}, key="ye-6g")
    )["bundleOrder"]
    assert out["userErrors"] == []
    schedule = {m["month"]: m["priceFen"] for m in out["order"]["pricing"]["schedule"]}
    assert (
        schedule["2026-12"] == 7_600
        and schedule["2027-02"] == 7_600
        and schedule["2027-03"] == 15_200
    )

    assert await apply_due_changes(datetime(2026, 12, 1, 0, 0, 1, tzinfo=SHANGHAI), sub.id) == 1
    before = await balance_of(sub.id)
    summary = await close_cycle(
        "2026-12", now=datetime(2027, 1, 3, 9, tzinfo=SHANGHAI), subscriber_ids=[sub.id]
    )
    (issued,) = summary.issued
    items = [
        (i.kind, i.name, i.amount_fen)
        for i in await BillItem.filter(bill_id=issued.bill.id).order_by("position")
    ]
    assert items[0][0] == "MONTHLY_FEE" and items[0][2] == 15_200
    assert items[1] == ("DISCOUNT", "月费优惠", -7_600)
    assert issued.bill.total_fen == 7_600
    assert await balance_of(sub.id) == before - 7_600
