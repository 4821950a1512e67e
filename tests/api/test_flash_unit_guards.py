"""The database's own guard against overselling, whatever Redis hands out: a sale's unit number
has one holder and lies within 1..units_total, a subscriber's slot has one unit and lies within
1..limit (the unit rows' unique keys and the migration's triggers), and the sale cannot shrink
below the units it holds. No counter row is involved."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.flash import FlashSale, FlashUnit
from db.repositories import flash_sales as repo
from tests.api.flash_helpers import create_sale
from tests.conftest import subscribe

PAY_BY = datetime(2030, 1, 1, tzinfo=UTC)  # the guards do not look at it


async def _record(sale_id: str, subscriber_id: int, slots, numbers):
    new = repo.NewReservation(
        str(uuid4()), sale_id, subscriber_id, uuid4().hex, slots, numbers, PAY_BY, None
    )
    async with in_transaction() as conn:
        return await repo.record_reservation(conn, new)


async def test_the_database_refuses_a_second_holder_and_units_beyond_the_sale(
    api, services, clock, marketing_token
):
    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=3, perSubscriberLimit=2)
    a, b = await subscribe(services), await subscribe(services)
    await _record(sale["id"], a.id, [1], [1])
    with pytest.raises(repo.NoRoom):  # unit 1 has its holder
        await _record(sale["id"], b.id, [1], [1])
    with pytest.raises(repo.NoRoom):  # there is no unit 4
        await _record(sale["id"], b.id, [1], [4])
    with pytest.raises(repo.NoRoom):  # nor a unit 0
        await _record(sale["id"], b.id, [1], [0])
    with pytest.raises(repo.NoRoom):  # a's slot 1 is used
        await _record(sale["id"], a.id, [1], [2])
    with pytest.raises(repo.NoRoom):  # a third slot passes the limit of 2
        await _record(sale["id"], a.id, [2, 3], [2, 3])
    await _record(sale["id"], b.id, [1, 2], [2, 3])
    assert await repo.units_taken(sale["id"]) == 3
    assert sorted(await FlashUnit.filter(sale_id=sale["id"]).values_list("unit_no", flat=True)) == [
        1, 2, 3,
    ]  # fmt: skip
    assert await repo.refused_as(await FlashSale.get(id=sale["id"]), b.id, 1) == "LIMIT_REACHED"
    assert await repo.refused_as(await FlashSale.get(id=sale["id"]), a.id, 1) == "SOLD_OUT"
    with pytest.raises(IntegrityError):  # the sale cannot shrink below the units it holds
        await FlashSale.filter(id=sale["id"]).update(units_total=2)
    with pytest.raises(IntegrityError):
        await FlashSale.filter(id=sale["id"]).update(per_subscriber_limit=1)
    await FlashSale.filter(id=sale["id"]).update(units_total=5)
