"""GraphQL snippets and helpers the flash-sale tests share. Each test makes sales of its own,
starting a minute after the hall's clock, then freezes the clock inside the window."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

SALE_FIELDS = """id name itemKind item salePriceFen unitsTotal remaining perSubscriberLimit
  startsAt endsAt payWithinSeconds bookingOpensAt priorityMinutes status bookedCount myBooking
  myUnits"""
CREATE = (
    "mutation($input: FlashSaleCreateInput!) { flashSaleCreate(input: $input) { flashSale { "
    + SALE_FIELDS
    + " } userErrors { code field message } } }"
)
BUY = """mutation($input: FlashSaleBuyInput!) { flashSaleBuy(input: $input) {
  reservation { id flashSaleId quantity units payBy status } userErrors { code field message } } }"""
PAY = """mutation($id: ID!, $method: FlashPayMethod!, $key: String!) {
  flashSalePay(reservationId: $id, paymentMethod: $method, idempotencyKey: $key) {
    order { id kind status statusReason finalPriceFen chargedFen } payUrl paymentId
    userErrors { code field message } } }"""
BOOK = """mutation($id: ID!) { flashSaleBook(id: $id) { flashSale { id myBooking bookedCount }
  userErrors { code field message } } }"""
SALE = "query($id: ID!) { flashSale(id: $id) { " + SALE_FIELDS + " } }"
COMPLETE = """mutation($id: ID!) { dev { paymentComplete(paymentId: $id) {
  httpStatus result error } } }"""

_keys = itertools.count(1)


def key(prefix: str = "k") -> str:
    return f"{prefix}-{next(_keys)}"


def sale_input(now: datetime, **overrides) -> dict:
    starts = now + timedelta(minutes=1)
    base = {
        "name": "测试秒杀",
        "itemKind": "PLAN",
        "itemId": "4G-136",
        "salePriceFen": 1000,
        "unitsTotal": 10,
        "perSubscriberLimit": 2,
        "startsAt": starts.isoformat(),
        "endsAt": (starts + timedelta(hours=1)).isoformat(),
    }
    return {**base, **overrides}


async def create_sale(api, marketing_token: str, now: datetime, **overrides) -> dict:
    data = await api.as_(marketing_token).data(CREATE, input=sale_input(now, **overrides))
    payload = data["flashSaleCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["flashSale"]


async def buy(api, token: str, sale_id: str, quantity: int = 1, k: str | None = None, **extra):
    data = await api.as_(token).data(
        BUY,
        input={"flashSaleId": sale_id, "quantity": quantity, "idempotencyKey": k or key(), **extra},
    )
    return data["flashSaleBuy"]


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]
