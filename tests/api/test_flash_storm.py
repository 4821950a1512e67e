"""The storm, through the GraphQL API on a real Redis: 2,000 attempts from 300 buyers on 100
units, limit 2. Then the payment phase (some pay, some time out, a duplicate callback, a late
payment) with stock + held + paid = units after every step. On PostgreSQL in CI (every request
runs on its own pool connection there); it passes on SQLite too."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import datetime, timedelta

from db.models.flash import FlashReservation, FlashUnit
from domain.flash.model import ReservationStatus
from resolvers.flash.reap import flush_stats, reap
from tests.api.flash_helpers import COMPLETE, PAY, buy, create_sale, key
from tests.conftest import subscribe

UNITS, BUYERS, ATTEMPTS, LIMIT = 100, 300, 2_000, 2


async def storm(api, buyers, sale_id: str, attempts: int, concurrency: int = 40) -> list[dict]:
    gate = asyncio.Semaphore(concurrency)
    rng = random.Random(517)
    plan = [(rng.choice(buyers), rng.choice((1, 1, 1, 2))) for _ in range(attempts)]

    async def attempt(buyer, quantity):
        async with gate:
            body = await buy(api, buyer.token, sale_id, quantity)
            return {"buyer": buyer.id, **body}

    return await asyncio.gather(*(attempt(b, q) for b, q in plan))


async def ledger(services, sale_id: str) -> tuple[int, int, int]:
    """(Redis remaining, units held, units paid) as the database and Redis see them."""
    remaining = await services.stores.flash_sales.remaining(sale_id)
    rows = await FlashReservation.filter(sale_id=sale_id).all()
    held = sum(r.quantity for r in rows if r.status is ReservationStatus.HELD)
    paid = sum(r.quantity for r in rows if r.status is ReservationStatus.PAID)
    return remaining or 0, held, paid


async def assert_balanced(services, sale_id: str) -> None:
    remaining, held, paid = await ledger(services, sale_id)
    assert remaining + held + paid == UNITS, (remaining, held, paid)
    numbers = await FlashUnit.filter(sale_id=sale_id).values_list("unit_no", flat=True)
    assert len(numbers) == held + paid == len(set(numbers))  # no unit held twice
    assert set(numbers) <= set(range(1, UNITS + 1))


async def test_storm_then_payment_phase(api, services, clock, marketing_token):
    sale = await create_sale(
        api, marketing_token, clock.now(), unitsTotal=UNITS, perSubscriberLimit=LIMIT,
        payWithinSeconds=120,
    )  # fmt: skip
    buyers = [await subscribe(services, balance_fen=100_000) for _ in range(BUYERS)]
    start = datetime.fromisoformat(sale["startsAt"])
    clock.set(start + timedelta(seconds=1))

    answers = await storm(api, buyers, sale["id"], ATTEMPTS)

    won = [a for a in answers if a["reservation"]]
    assert sum(a["reservation"]["quantity"] for a in won) == UNITS  # exactly, never more
    per_buyer = Counter()
    for a in won:
        per_buyer[a["buyer"]] += a["reservation"]["quantity"]
    assert max(per_buyer.values()) <= LIMIT
    refused = Counter(e["code"] for a in answers for e in a["userErrors"])
    assert set(refused) <= {"SOLD_OUT", "LIMIT_REACHED"}, refused
    assert await FlashUnit.filter(sale_id=sale["id"]).count() == UNITS
    assert await services.stores.flash_sales.remaining(sale["id"]) == 0
    await assert_balanced(services, sale["id"])
    assert await flush_stats(services) >= ATTEMPTS - refused["SOLD_OUT"]

    # payment phase: a third pay from the balance, a third by provider, a third never pays
    tokens = {b.id: b.token for b in buyers}
    reservations = [a["reservation"] for a in won]
    by_balance, by_provider, unpaid = (reservations[i::3] for i in range(3))
    for r in by_balance:
        owner = next(a["buyer"] for a in won if a["reservation"] is r)
        paid = await api.as_(tokens[owner]).data(PAY, id=r["id"], method="BALANCE", key=key())
        assert paid["flashSalePay"]["order"]["status"] == "COMPLETED"
        await assert_balanced(services, sale["id"])
    late_payments = []
    for i, r in enumerate(by_provider):
        owner = next(a["buyer"] for a in won if a["reservation"] is r)
        started = (await api.as_(tokens[owner]).data(PAY, id=r["id"], method="ALIPAY", key=key()))[
            "flashSalePay"
        ]
        if i % 4 == 0:
            late_payments.append(started["paymentId"])  # the payer dawdles past payBy
            continue
        done = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
        assert done["result"] == "CONFIRMED"
        again = (await api.data(COMPLETE, id=started["paymentId"]))["dev"]["paymentComplete"]
        assert again["result"] == "ALREADY_PROCESSED"  # duplicate callback: a no-op
        await assert_balanced(services, sale["id"])
    clock.set(start + timedelta(seconds=125))  # every unpaid reservation is past payBy
    returned_units = sum(r["quantity"] for r in unpaid) + sum(
        r["quantity"] for i, r in enumerate(by_provider) if i % 4 == 0
    )
    assert await reap(services) >= len(unpaid) + len(late_payments)  # other tests' too
    expired = await FlashReservation.filter(
        sale_id=sale["id"], status=ReservationStatus.EXPIRED
    ).count()
    assert expired == len(unpaid) + len(late_payments)
    await assert_balanced(services, sale["id"])
    remaining, held, paid = await ledger(services, sale["id"])
    assert (remaining, held) == (returned_units, 0)
    for payment_id in late_payments:
        late = (await api.data(COMPLETE, id=payment_id))["dev"]["paymentComplete"]
        assert late["result"] == "REFUNDED"
        await assert_balanced(services, sale["id"])
    assert (await ledger(services, sale["id"]))[2] == paid  # refunded, never honoured
