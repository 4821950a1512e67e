"""NOT_VERIFIED: numbers that never completed real-name registration may not buy flash-sale
units (nor numbers, nor devices: `domain.orders.eligibility.REAL_NAME_KINDS`); once registered
with realNameRegister they may."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.models.flash import FlashReservation
from tests.api.flash_helpers import buy, codes, create_sale
from tests.api.test_real_name import new_id, register
from tests.conftest import subscribe


def inside(sale: dict) -> datetime:
    return datetime.fromisoformat(sale["startsAt"]) + timedelta(seconds=1)


async def test_an_unverified_number_may_not_buy_a_flash_sale_unit(
    api, services, clock, marketing_token
) -> None:
    sale = await create_sale(api, marketing_token, clock.now(), unitsTotal=2)
    clock.set(inside(sale))
    unverified = await subscribe(services, real_name=None)
    assert codes(await buy(api, unverified.token, sale["id"])) == ["NOT_VERIFIED"]
    assert not await FlashReservation.filter(subscriber_id=unverified.id).exists()
    assert (await register(api, unverified, new_id()))["realNameVerified"]
    bought = await buy(api, unverified.token, sale["id"])
    assert bought["userErrors"] == [] and bought["reservation"]["units"] == [1]
