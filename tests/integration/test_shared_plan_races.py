"""Races of a shared plan on PostgreSQL: members' and the main's usage rated at once while the
main's bill is issued. Every rated charge is debited from the main once and is on the main's
bill (or the event is refused as CYCLE_CLOSED, never rated and lost); no deadlock between the
main-then-member locks."""

import asyncio

import pytest

from db.models.accounts import Subscriber
from db.models.shared_plans import SharedGroup, SharedMember
from db.models.usage import UsageRecord
from db.repositories import billing as bills_repo
from resolvers.billing import billing_close
from resolvers.usage import ingest
from tests.billing_helpers import backdate, in_cycle, prev_cycle, sms
from tests.conftest import make_ctx, subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar  # last month's cycle, wherever the clock starts


async def test_usage_rated_while_the_main_is_billed_is_billed_once(services, postgres_only):
    main = await subscribe(services, plan_id="SHARED-188", balance_fen=100_000)
    members = [await subscribe(services, plan_id="4G-76") for _ in range(2)]
    for number in (main, *members):
        await backdate(number.id)
    group = await SharedGroup.create(main_id=main.id, created_at=hall_now())
    for m in members:
        await SharedMember.create(group=group, subscriber_id=m.id, joined_at=hall_now())
    cycle = prev_cycle()
    ctx = make_ctx(services)

    def batch(msisdn, n):
        return [sms(msisdn, 1 + i % 3, in_cycle(cycle, 10 + i)) for i in range(n)]

    calls = [ingest(ctx, batch(who.msisdn, 6)) for who in (main, *members) for _ in range(4)]
    calls.insert(5, billing_close(ctx, cycle, main.msisdn))
    results = await asyncio.gather(*calls)
    refused = {p.code for r in results if hasattr(r, "problems") for p in r.problems}
    assert refused <= {"CYCLE_CLOSED"}

    ids = [main.id, *(m.id for m in members)]
    records = await UsageRecord.filter(subscriber_id__in=ids, cycle=cycle)
    assert all(r.payer_id == (None if r.subscriber_id == main.id else main.id) for r in records)  # type: ignore[attr-defined]
    charged = sum(r.charge_fen for r in records)
    bill = await bills_repo.bill_of(main.id, cycle)
    items = (await bills_repo.items_of([bill.id]))[bill.id]
    assert bill.total_fen == sum(i.amount_fen for i in items)
    usage_on_bill = sum(i.amount_fen for i in items if i.kind != "MONTHLY_FEE")
    assert usage_on_bill == charged  # nothing rated after the bill, nothing left off it
    for m in members:
        assert (await Subscriber.get(id=m.id)).balance_fen == 10_000  # members paid nothing
    fee = next(i.amount_fen for i in items if i.kind == "MONTHLY_FEE")
    assert (await Subscriber.get(id=main.id)).balance_fen == 100_000 - charged - fee
