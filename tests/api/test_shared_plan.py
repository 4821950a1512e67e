"""4G shared plan: members join by SMS code, share the main's data and voice without double
counting, leave; a main change waits for the 1st of next month. Each step is an order."""

import re
from datetime import datetime, timedelta

import pytest

from db.models.accounts import Subscriber
from db.models.usage import AllowanceBucket
from domain.accounts import SubscriberStatus
from tests.api.order_helpers import OUTBOX, codes, new_key, orders_of
from tests.billing_helpers import INGEST, voice
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now
from tests.jobs_helpers import run_job

pytestmark = pytest.mark.calendar  # tenure, cycles, invoice years and the 1st of next month

SEND = """mutation($m: String!) { sharedPlanMemberCodeSend(msisdn: $m) {
  resendAfterSeconds userErrors { code field message } } }"""
ADD = """mutation($m: String!, $c: String!, $key: String!) { sharedPlanAddMember(msisdn: $m,
  smsCode: $c, idempotencyKey: $key) { order { id kind status } userErrors { code field } } }"""
REMOVE = """mutation($m: String!, $key: String!) { sharedPlanRemoveMember(msisdn: $m,
  idempotencyKey: $key) { order { id kind status } userErrors { code field } } }"""
CHANGE = """mutation($m: String!, $key: String!) { sharedPlanChangeMain(newMainMsisdn: $m,
  idempotencyKey: $key) { order { id kind status effectiveFrom } userErrors { code field } } }"""
GROUP = "{ me { sharedPlan { main { msisdn } members { msisdn } pendingMain { msisdn } } } }"


async def code_for(api, msisdn):
    outbox = (await api.data(OUTBOX, m=msisdn))["dev"]["outbox"]
    texts = [n["text"] for n in outbox if n["kind"] == "SMS_SHARED_JOIN"]
    return re.search(r"验证码(\d{6})", texts[-1]).group(1)


async def test_a_member_joins_by_code_and_shares_without_double_counting(
    api, services, operator_token
):
    main = await subscribe(services, plan_id="SHARED-188")
    member = await subscribe(services, plan_id="4G-76")
    me = api.as_(main.token)
    assert (await me.data(SEND, m=member.msisdn))["sharedPlanMemberCodeSend"]["userErrors"] == []
    code = await code_for(api, member.msisdn)
    wrong = "000000" if code != "000000" else "111111"
    bad = (await me.data(ADD, m=member.msisdn, c=wrong, key=new_key()))["sharedPlanAddMember"]
    assert codes(bad) == ["CODE_INVALID"]
    assert await orders_of(main.id) == []
    assert (await me.data(GROUP))["me"]["sharedPlan"]["members"] == []
    # the wrong try did not burn the code (5 tries)
    out = (await me.data(ADD, m=member.msisdn, c=code, key=new_key()))["sharedPlanAddMember"]
    assert out["userErrors"] == [] and out["order"]["kind"] == "SHARED_MEMBER_ADD"
    group = (await api.as_(member.token).data(GROUP))["me"]["sharedPlan"]
    assert group["main"] == {"msisdn": main.msisdn}
    assert group["members"] == [{"msisdn": member.msisdn}]
    notices = (await api.data(OUTBOX, m=member.msisdn))["dev"]["outbox"]
    assert [n for n in notices if n["kind"] == "ORDER_SHARED_PLAN"]

    # 300 minutes from the member (own plan 200) and 100 from the main: all inside allowances
    at = hall_now()
    events = [voice(member.msisdn, 300 * 60, at), voice(main.msisdn, 100 * 60, at)]
    body = (await api.as_(operator_token).data(INGEST, events=events))["usageIngest"]
    assert body["userErrors"] == [] and body["chargedFen"] == 0
    own = await AllowanceBucket.filter(subscriber_id=member.id, kind="VOICE", source="PLAN")
    shared = await AllowanceBucket.filter(subscriber_id=main.id, kind="VOICE", source="PLAN")
    assert sum(b.used for b in own) + sum(b.used for b in shared) == 400
    assert all(b.used <= b.total for b in own + shared)

    removed = (await me.data(REMOVE, m=member.msisdn, key=new_key()))["sharedPlanRemoveMember"]
    assert removed["userErrors"] == [] and removed["order"]["kind"] == "SHARED_MEMBER_REMOVE"
    assert (await api.as_(member.token).data(GROUP))["me"]["sharedPlan"] is None


async def test_who_may_not_join(api, services):
    main = await subscribe(services, plan_id="SHARED-188")
    other_main = await subscribe(services, plan_id="SHARED-188")
    member = await subscribe(services, plan_id="4G-76")
    me = api.as_(main.token)
    await me.data(SEND, m=member.msisdn)
    code = await code_for(api, member.msisdn)
    assert (await me.data(ADD, m=member.msisdn, c=code, key=new_key()))["sharedPlanAddMember"][
        "userErrors"
    ] == []
    taken = await api.as_(other_main.token).data(SEND, m=member.msisdn)
    assert codes(taken["sharedPlanMemberCodeSend"]) == ["SHARED_MEMBER_IN_GROUP"]
    closed = await subscribe(services)
    await Subscriber.filter(id=closed.id).update(status=SubscriberStatus.CLOSED)
    refused = (await me.data(SEND, m=closed.msisdn))["sharedPlanMemberCodeSend"]
    assert codes(refused) == ["SHARED_MEMBER_NOT_ELIGIBLE"]
    not_shared = await subscribe(services, plan_id="4G-76")
    nope = await api.as_(not_shared.token).data(SEND, m=closed.msisdn)
    assert codes(nope["sharedPlanMemberCodeSend"]) == ["NOT_ELIGIBLE"]
    limited = await api.as_(main.limited_token)(REMOVE, m=member.msisdn, key=new_key())
    assert limited["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_main_changes_on_the_first_of_next_month(api, services, clock):
    main = await subscribe(services, plan_id="SHARED-188")
    member = await subscribe(services, plan_id="4G-76")
    me = api.as_(main.token)
    await me.data(SEND, m=member.msisdn)
    code = await code_for(api, member.msisdn)
    await me.data(ADD, m=member.msisdn, c=code, key=new_key())
    out = (await me.data(CHANGE, m=member.msisdn, key=new_key()))["sharedPlanChangeMain"]
    assert out["userErrors"] == [] and out["order"]["status"] == "SCHEDULED"
    group = (await me.data(GROUP))["me"]["sharedPlan"]
    assert group["main"] == {"msisdn": main.msisdn}
    assert group["pendingMain"] == {"msisdn": member.msisdn}
    effective = datetime.fromisoformat(out["order"]["effectiveFrom"])
    assert effective > hall_now()
    # the scheduler hands over, not a read: past the 1st, before the job, nothing changed
    clock.set(effective + timedelta(minutes=1))
    unchanged = (await me.data(GROUP))["me"]["sharedPlan"]
    assert unchanged["main"] == {"msisdn": main.msisdn}
    assert (await run_job("shared-main-changes", services, effective))["mainChanges"] >= 1
    later = (await me.data(GROUP))["me"]["sharedPlan"]
    assert later["main"] == {"msisdn": member.msisdn}
    assert later["members"] == [{"msisdn": main.msisdn}] and later["pendingMain"] is None
    assert (await Subscriber.get(id=member.id)).plan_id == "SHARED-188"  # type: ignore[attr-defined]
    assert (await Subscriber.get(id=main.id)).plan_id == "4G-76"  # type: ignore[attr-defined]
    (change,) = [o for o in await orders_of(main.id) if o.kind == "SHARED_MAIN_CHANGE"]
    assert change.status == "COMPLETED"
