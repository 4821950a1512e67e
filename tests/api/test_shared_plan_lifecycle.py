"""A shared plan's group over time: the main changes hands by the scheduler on the 1st (never
on a read, once however often the job runs), and the group ends when the main number's plan
change to a non-SHARED plan takes effect or the main number is closed: members leave, stop
drawing the shared buckets, get an SMS notice, and every number sees the event in me.orders."""

from datetime import timedelta

import pytest

from db.models.accounts import Subscriber
from db.models.shared_plans import SharedGroup, SharedMember
from db.models.usage import AllowanceBucket
from domain.accounts import SubscriberStatus
from domain.calendar import next_month_start
from resolvers.jobs.registry import JOBS
from tests.api.order_helpers import ORDERS, OUTBOX, PLAN_CHANGE, new_key
from tests.api.test_shared_plan import ADD, CHANGE, GROUP, SEND, code_for
from tests.billing_helpers import INGEST, voice
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now
from tests.jobs_helpers import run_job

pytestmark = pytest.mark.calendar  # the 1st of next month, wherever the clock starts


async def group_of_two(api, services):
    main = await subscribe(services, plan_id="SHARED-188")
    member = await subscribe(services, plan_id="4G-76")
    me = api.as_(main.token)
    await me.data(SEND, m=member.msisdn)
    added = await me.data(ADD, m=member.msisdn, c=await code_for(api, member.msisdn), key=new_key())
    assert added["sharedPlanAddMember"]["userErrors"] == []
    return main, member


async def kinds_of_orders(api, token):
    nodes = (await api.as_(token).data(ORDERS, first=20))["me"]["orders"]["edges"]
    return {n["node"]["kind"]: n["node"] for n in nodes}


async def notices(api, msisdn, kind="ORDER_SHARED_PLAN"):
    return [
        n["text"] for n in (await api.data(OUTBOX, m=msisdn))["dev"]["outbox"] if n["kind"] == kind
    ]


async def shared_voice_used(main_id):
    rows = await AllowanceBucket.filter(subscriber_id=main_id, kind="VOICE", source="PLAN")
    return sum(b.used for b in rows)


def test_the_main_change_job_runs_with_the_plan_changes():
    assert JOBS["shared-main-changes"].schedule.cron == JOBS["plan-changes"].schedule.cron


async def test_the_main_change_is_applied_once_at_its_instant(api, services, clock):
    main, member = await group_of_two(api, services)
    out = await api.as_(main.token).data(CHANGE, m=member.msisdn, key=new_key())
    assert out["sharedPlanChangeMain"]["userErrors"] == []
    effective = next_month_start(hall_now())
    clock.set(effective - timedelta(seconds=1))
    await run_job("shared-main-changes", services, effective - timedelta(seconds=1))
    assert (await SharedGroup.get(main_id=main.id)).pending_main_id == member.id  # type: ignore[attr-defined]
    clock.set(effective)
    await run_job("shared-main-changes", services, effective)
    again = await run_job("shared-main-changes", services, effective)
    group = await SharedGroup.get(main_id=member.id)
    assert group.pending_main_id is None  # type: ignore[attr-defined]
    assert await SharedMember.filter(group_id=group.id).values_list("subscriber_id", flat=True) == [
        main.id
    ]
    assert again["mainChanges"] == 0
    assert (await Subscriber.get(id=member.id)).plan_id == "SHARED-188"  # type: ignore[attr-defined]


async def test_a_member_who_left_before_the_first_cancels_the_change(api, services, clock):
    main, member = await group_of_two(api, services)
    me = api.as_(main.token)
    await me.data(CHANGE, m=member.msisdn, key=new_key())
    await SharedMember.filter(subscriber_id=member.id).delete()
    effective = next_month_start(hall_now())
    clock.set(effective)
    await run_job("shared-main-changes", services, effective)
    group = await SharedGroup.get(main_id=main.id)
    assert group.pending_main_id is None  # type: ignore[attr-defined]
    assert (await Subscriber.get(id=main.id)).plan_id == "SHARED-188"  # type: ignore[attr-defined]
    assert (await kinds_of_orders(api, main.token))["SHARED_MAIN_CHANGE"]["status"] == "CANCELLED"


async def test_the_main_leaving_the_shared_plan_dissolves_the_group(
    api, services, clock, operator_token
):
    main, member = await group_of_two(api, services)
    changed = await api.as_(main.token).data(PLAN_CHANGE, plan="4G-76", key=new_key())
    assert changed["planChange"]["userErrors"] == []
    effective = next_month_start(hall_now())
    clock.set(effective - timedelta(minutes=1))
    assert (await api.as_(member.token).data(GROUP))["me"]["sharedPlan"] is not None
    clock.set(effective + timedelta(hours=1))
    assert (await run_job("plan-changes", services, effective))["applied"] >= 1
    assert not await SharedGroup.filter(main_id=main.id).exists()
    assert not await SharedMember.filter(subscriber_id=member.id).exists()
    assert (await api.as_(member.token).data(GROUP))["me"]["sharedPlan"] is None
    text = (await notices(api, member.msisdn))[0]  # newest first
    assert main.msisdn in text and "已解散" in text
    for token in (main.token, member.token):
        record = (await kinds_of_orders(api, token))["SHARED_GROUP_DISSOLVE"]
        assert record["status"] == "COMPLETED" and main.msisdn in record["summary"]
    # from now on the member's calls draw only the member's own plan
    before = await shared_voice_used(main.id)
    call = voice(member.msisdn, 10 * 60, effective + timedelta(minutes=30))
    body = (await api.as_(operator_token).data(INGEST, events=[call]))["usageIngest"]
    assert body["userErrors"] == []
    assert await shared_voice_used(main.id) == before


async def test_a_closed_main_stops_sharing_at_once_and_the_job_ends_the_group(
    api, services, operator_token
):
    main, member = await group_of_two(api, services)
    await Subscriber.filter(id=main.id).update(status=SubscriberStatus.CLOSED)
    before = await shared_voice_used(main.id)
    call = voice(member.msisdn, 250 * 60, hall_now() - timedelta(minutes=5))  # own plan: 200
    body = (await api.as_(operator_token).data(INGEST, events=[call]))["usageIngest"]
    assert body["userErrors"] == [] and body["chargedFen"] > 0  # paid by the member, alone
    assert await shared_voice_used(main.id) == before
    assert (await run_job("shared-main-changes", services, hall_now()))["groupsDissolved"] >= 1
    assert not await SharedMember.filter(subscriber_id=member.id).exists()
    assert "已销户" in (await notices(api, member.msisdn))[0]
    record = (await kinds_of_orders(api, member.token))["SHARED_GROUP_DISSOLVE"]
    assert "主卡已销户" in record["summary"]
    assert (await run_job("shared-main-changes", services, hall_now()))["groupsDissolved"] == 0


async def test_a_handover_and_a_plan_change_of_the_same_first_keep_the_group(api, services, clock):
    """The old main asked for both: the member takes over first (whichever job runs first),
    then the old main, now a member, moves to the plan he chose; the group lives on."""
    main = await subscribe(services, plan_id="SHARED-188")
    member = await subscribe(services, plan_id="4G-136")
    me = api.as_(main.token)
    await me.data(SEND, m=member.msisdn)
    await me.data(ADD, m=member.msisdn, c=await code_for(api, member.msisdn), key=new_key())
    assert (await me.data(CHANGE, m=member.msisdn, key=new_key()))["sharedPlanChangeMain"][
        "userErrors"
    ] == []
    assert (await me.data(PLAN_CHANGE, plan="4G-76", key=new_key()))["planChange"][
        "userErrors"
    ] == []
    effective = next_month_start(hall_now())
    clock.set(effective)
    await run_job("plan-changes", services, effective)  # before the handover job, on purpose
    group = await SharedGroup.get(main_id=member.id)
    assert await SharedMember.filter(group_id=group.id).values_list("subscriber_id", flat=True) == [
        main.id
    ]
    assert (await Subscriber.get(id=member.id)).plan_id == "SHARED-188"  # type: ignore[attr-defined]
    assert (await Subscriber.get(id=main.id)).plan_id == "4G-76"  # type: ignore[attr-defined]
    assert "SHARED_GROUP_DISSOLVE" not in await kinds_of_orders(api, main.token)


async def test_a_closed_main_hands_nothing_over(api, services, clock):
    main, member = await group_of_two(api, services)
    await api.as_(main.token).data(CHANGE, m=member.msisdn, key=new_key())
    await Subscriber.filter(id=main.id).update(status=SubscriberStatus.CLOSED)
    effective = next_month_start(hall_now())
    clock.set(effective)
    counts = await run_job("shared-main-changes", services, effective)
    assert counts["groupsDissolved"] >= 1
    assert not await SharedGroup.filter(main_id__in=[main.id, member.id]).exists()
    assert (await Subscriber.get(id=member.id)).plan_id == "4G-76"  # type: ignore[attr-defined]
    assert (await kinds_of_orders(api, member.token))["SHARED_GROUP_DISSOLVE"][
        "status"
    ] == "COMPLETED"
