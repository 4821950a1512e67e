"""End to end: a recurring campaign priced into a combo order is what the bills of the promised
months charge: quote → order → the change takes effect on the 1st → billing run."""

from datetime import timedelta

import pytest

from db.models.billing import BillItem
from db.repositories.billing import close_cycle
from db.repositories.plan_changes import apply_due_changes
from domain.calendar import add_months, cycle_of, local, month_start
from tests.api.order_helpers import BUNDLE_ORDER, balance_of
from tests.api.promo_helpers import Window, create, promotions_cleanup  # noqa: F401 (fixture)
from tests.conftest import subscribe

pytestmark = [pytest.mark.calendar, pytest.mark.usefixtures("promotions_cleanup")]


async def test_recurring_combo_discount_is_charged_by_the_billing_run(
    api, services, clock, marketing_token
):
    w = Window()
    clock.set(w.before)
    await create(
        api, marketing_token, w, name="组合套餐6GB流量包 前3个月5折",
        targets={"packIds": ["DATA-6G"]}, benefit={"kind": "RECURRING", "percentBp": 5000, "months": 3},
    )  # fmt: skip
    sub = await subscribe(services, plan_id="4G-136", balance_fen=100_000)
    clock.set(w.during)
    out = (
        await api.as_(sub.token).data(BUNDLE_ORDER, input={"dataPackId": "DATA-6G"}, key="ye-6g")
    )["bundleOrder"]
    assert out["userErrors"] == []
    here = local(w.during)
    first = month_start(*add_months(here.year, here.month, 1))  # the change takes effect then
    months = [cycle_of(month_start(*add_months(here.year, here.month, n))) for n in (1, 3, 4)]
    schedule = {m["month"]: m["priceFen"] for m in out["order"]["pricing"]["schedule"]}
    assert [schedule[m] for m in months] == [7_600, 7_600, 15_200]

    assert await apply_due_changes(first + timedelta(seconds=1), sub.id) == 1
    before = await balance_of(sub.id)
    after_cycle = month_start(*add_months(here.year, here.month, 2))
    summary = await close_cycle(
        months[0], now=after_cycle + timedelta(days=2, hours=9), subscriber_ids=[sub.id]
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
