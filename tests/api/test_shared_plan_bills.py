"""A shared plan's bill goes to the main number: a member's usage charges are paid from the
main's balance when rated and billed on the main's bill, as lines carrying the member's number
and grouped in memberBreakdown; the member's own bill does not show them again."""

import pytest

from tests.api.order_helpers import balance_of, new_key
from tests.api.test_bills_api import CLOSE
from tests.api.test_shared_plan import ADD, SEND, code_for
from tests.billing_helpers import (
    INGEST,
    backdate,
    in_cycle,
    now_in_cycle,
    prev_cycle,
    sms,
    this_cycle,
    voice,
)
from tests.billing_helpers import value_added as vas
from tests.conftest import subscribe

pytestmark = pytest.mark.calendar

BILL = """query($cycle: String!) { me { bill(cycle: $cycle) { status totalFen
  items { kind name amountFen memberMsisdn }
  memberBreakdown { msisdn totalFen items { kind amountFen memberMsisdn } } } } }"""


async def shared_pair(api, services):
    main = await subscribe(services, plan_id="SHARED-188", balance_fen=50_000)
    member = await subscribe(services, plan_id="4G-76", balance_fen=10_000)
    for number in (main, member):
        await backdate(number.id)
    me = api.as_(main.token)
    await me.data(SEND, m=member.msisdn)
    code = await code_for(api, member.msisdn)
    added = (await me.data(ADD, m=member.msisdn, c=code, key=new_key()))["sharedPlanAddMember"]
    assert added["userErrors"] == []
    return main, member


async def test_the_main_pays_and_is_billed_for_its_members(api, services, operator_token):
    main, member = await shared_pair(api, services)
    cycle = prev_cycle()
    at = in_cycle(cycle)
    events = [
        voice(member.msisdn, 100 * 60, at),  # from the shared minutes: free
        sms(member.msisdn, 3, at),  # no SMS allowance on either plan: ¥0.30
        vas(member.msisdn, 500, at, "视频彩铃"),
        sms(main.msisdn, 2, at),  # the main's own: ¥0.20
    ]
    ops = api.as_(operator_token)
    body = (await ops.data(INGEST, events=events))["usageIngest"]
    assert body["userErrors"] == [] and body["chargedFen"] == 30 + 500 + 20
    assert await balance_of(member.id) == 10_000  # the member paid nothing
    assert await balance_of(main.id) == 50_000 - 550

    for number in (main, member):
        run = (await ops.data(CLOSE, cycle=cycle, msisdn=number.msisdn))["billingClose"]
        assert run["userErrors"] == [] and run["run"]["billsIssued"] == 1

    bill = (await api.as_(main.token).data(BILL, cycle=cycle))["me"]["bill"]
    assert bill["status"] == "ISSUED"
    assert bill["totalFen"] == sum(i["amountFen"] for i in bill["items"]) == 18_800 + 550
    own = {i["kind"]: i["amountFen"] for i in bill["items"] if i["memberMsisdn"] is None}
    assert own == {"MONTHLY_FEE": 18_800, "SMS_OVERAGE": 20}
    (share,) = bill["memberBreakdown"]
    assert share["msisdn"] == member.msisdn and share["totalFen"] == 530
    assert {i["kind"]: i["amountFen"] for i in share["items"]} == {
        "SMS_OVERAGE": 30,
        "VALUE_ADDED": 500,
    }
    tagged = [i for i in bill["items"] if i["memberMsisdn"] == member.msisdn]
    assert len(tagged) == 2 and all(member.msisdn in i["name"] for i in tagged)

    theirs = (await api.as_(member.token).data(BILL, cycle=cycle))["me"]["bill"]
    assert theirs["items"] == [
        {"kind": "MONTHLY_FEE", "name": "套餐月费 4G全国套餐 76元", "amountFen": 7_600,
         "memberMsisdn": None}
    ]  # fmt: skip
    assert theirs["memberBreakdown"] == [] and theirs["totalFen"] == 7_600

    # the main's issued bill closes the cycle for the member's late usage too
    late = await ops.data(INGEST, events=[sms(member.msisdn, 1, in_cycle(cycle, 80))])
    assert [e["code"] for e in late["usageIngest"]["userErrors"]] == ["CYCLE_CLOSED"]


async def test_the_open_cycle_shows_the_members_charges_live(api, services, operator_token):
    main, member = await shared_pair(api, services)
    body = (
        await api.as_(operator_token).data(INGEST, events=[sms(member.msisdn, 4, now_in_cycle())])
    )["usageIngest"]
    assert body["chargedFen"] == 40
    bill = (await api.as_(main.token).data(BILL, cycle=this_cycle()))["me"]["bill"]
    assert bill["status"] == "OPEN"
    assert bill["memberBreakdown"][0]["totalFen"] == 40
    assert bill["totalFen"] == sum(i["amountFen"] for i in bill["items"])
    mine = (await api.as_(member.token).data(BILL, cycle=this_cycle()))["me"]["bill"]
    assert all(i["kind"] != "SMS_OVERAGE" for i in mine["items"])
