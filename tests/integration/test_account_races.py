"""Races of account business on PostgreSQL: invoice numbers under concurrent issues, and one
source asked for twice at once."""

import asyncio

from tests.api.test_invoices import ISSUE, issue_input, issued_bill
from tests.billing_helpers import prev_cycle
from tests.conftest import subscribe


async def test_concurrent_invoices_get_distinct_consecutive_numbers(api, services, postgres_only):
    subs = [await subscribe(services) for _ in range(8)]
    for sub in subs:
        await issued_bill(sub.id)

    async def issue(sub):
        return await api.as_(sub.token).data(ISSUE, input=issue_input("BILL", prev_cycle()))

    results = await asyncio.gather(*(issue(s) for s in subs))
    numbers = sorted(int(r["invoiceIssue"]["invoice"]["number"]) for r in results)
    assert numbers == list(range(numbers[0], numbers[0] + len(subs)))


async def test_the_same_invoice_asked_twice_at_once_is_one(api, services, postgres_only):
    sub = await subscribe(services)
    await issued_bill(sub.id)
    me = api.as_(sub.token)
    results = await asyncio.gather(
        *(me.data(ISSUE, input=issue_input("BILL", prev_cycle())) for _ in range(6))
    )
    assert len({r["invoiceIssue"]["invoice"]["number"] for r in results}) == 1
