"""numberReserve / numberRelease: holds for subscribers and anonymous client tokens, the limit of
3, expiry after 15 minutes (lazily on read and by the reaper), idempotency, and the race."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta

from db.models.numbers import PhoneNumber
from db.repositories.numbers import stock
from domain.numbers.stocking import stock_row
from resolvers.number_holds import reap
from tests.conftest import make_ctx, subscribe

RESERVE = """
mutation($msisdn: String!, $key: String!, $token: String) {
  numberReserve(msisdn: $msisdn, idempotencyKey: $key, clientToken: $token) {
    reservation { id msisdn expiresAt }
    userErrors { code field }
  }
}"""
RELEASE = """
mutation($id: String!, $token: String) {
  numberRelease(reservationId: $id, clientToken: $token) {
    reservation { id }
    userErrors { code }
  }
}"""
SEARCH = """
query($p: String!) { numberSearch(input: {province: $p}, first: 100) { nodes { msisdn status } } }"""


async def fresh_numbers(n: int) -> tuple[str, list[str]]:
    province = "留" + secrets.token_hex(4)
    block = f"177{secrets.randbelow(10_000):04d}"
    numbers = sorted({f"{block}{secrets.randbelow(10_000):04d}" for _ in range(n * 3)})[:n]
    await stock([stock_row(m, province, "市") for m in numbers])
    return province, numbers


def token() -> str:
    return secrets.token_urlsafe(16)


async def reserve(api, msisdn, tok=None, key=None):
    data = await api.data(RESERVE, msisdn=msisdn, key=key or secrets.token_hex(8), token=tok)
    return data["numberReserve"]


async def test_anonymous_holds_are_limited_to_three_and_released(api) -> None:
    _, numbers = await fresh_numbers(5)
    tok = token()
    held = [await reserve(api, m, tok) for m in numbers[:3]]
    assert all(h["reservation"] for h in held)
    fourth = await reserve(api, numbers[3], tok)
    assert fourth["userErrors"] == [{"code": "NUMBER_HOLD_LIMIT", "field": "msisdn"}]
    assert (await reserve(api, numbers[0], token()))["userErrors"][0][
        "code"
    ] == "NUMBER_UNAVAILABLE"
    rid = held[0]["reservation"]["id"]
    assert (await api.data(RELEASE, id=rid, token=token()))["numberRelease"]["userErrors"][0][
        "code"
    ] == "RESERVATION_NOT_FOUND"
    assert (await api.data(RELEASE, id=rid, token=tok))["numberRelease"]["userErrors"] == []
    assert (await reserve(api, numbers[3], tok))["reservation"]["msisdn"] == numbers[3]
    assert (await PhoneNumber.get(msisdn=numbers[0])).status == "AVAILABLE"


async def test_a_token_is_needed_without_a_session_and_a_key_replays(api, services) -> None:
    _, numbers = await fresh_numbers(2)
    assert (await reserve(api, numbers[0]))["userErrors"][0]["code"] == "CLIENT_TOKEN_REQUIRED"
    assert (await reserve(api, "1380013800a", token()))["userErrors"][0]["code"] == "INVALID_MSISDN"
    sub = await subscribe(services)
    me = api.as_(sub.token)
    first = await reserve(me, numbers[0], key="k1")
    again = await reserve(me, numbers[0], key="k1")
    assert first["reservation"] and again["reservation"]["id"] == first["reservation"]["id"]
    other = await reserve(me, numbers[1], key="k1")
    assert other["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    body = await api.as_(sub.limited_token)(RESERVE, msisdn=numbers[1], key="k2", token=None)
    assert body["errors"] and body["data"] is None


async def test_expired_holds_return_to_the_pool(api, services, clock) -> None:
    province, numbers = await fresh_numbers(2)
    clock.set(clock.now())
    tok = token()
    assert (await reserve(api, numbers[0], tok))["reservation"]
    statuses = {
        n["msisdn"]: n["status"]
        for n in (await api.data(SEARCH, p=province))["numberSearch"]["nodes"]
    }
    assert statuses == {numbers[1]: "AVAILABLE"}
    clock.advance(timedelta(minutes=15))
    statuses = {
        n["msisdn"]: n["status"]
        for n in (await api.data(SEARCH, p=province))["numberSearch"]["nodes"]
    }
    assert statuses == {numbers[0]: "AVAILABLE", numbers[1]: "AVAILABLE"}
    # the holder's expired hold no longer counts, another caller may take the number
    assert (await reserve(api, numbers[0], token()))["reservation"]
    assert (await reserve(api, numbers[1], tok))["reservation"]
    clock.advance(timedelta(minutes=16))
    assert await reap(make_ctx(services)) >= 2
    assert await PhoneNumber.filter(msisdn__in=numbers, status="AVAILABLE").count() == 2


async def test_50_concurrent_reserves_of_one_number_make_one_winner(api, postgres_only) -> None:
    _, numbers = await fresh_numbers(1)
    results = await asyncio.gather(*(reserve(api, numbers[0], token()) for _ in range(50)))
    winners = [r for r in results if r["reservation"]]
    assert len(winners) == 1
    assert {e["code"] for r in results if not r["reservation"] for e in r["userErrors"]} == {
        "NUMBER_UNAVAILABLE"
    }


async def test_one_caller_racing_themselves_never_holds_more_than_three(api, postgres_only) -> None:
    _, numbers = await fresh_numbers(12)
    for _ in range(3):  # a few rounds: the race window is small but real without the lock
        tok = token()
        results = await asyncio.gather(*(reserve(api, m, tok) for m in numbers[:10]))
        held = [r for r in results if r["reservation"]]
        assert len(held) == 3, [r["userErrors"] for r in results]
        assert {e["code"] for r in results for e in r["userErrors"]} == {"NUMBER_HOLD_LIMIT"}
        for r in held:
            rid = r["reservation"]["id"]
            assert (await api.data(RELEASE, id=rid, token=tok))["numberRelease"]["userErrors"] == []


async def test_the_hold_policy_is_read_from_settings(api, services, clock) -> None:
    settings = services.settings
    saved = settings.number_holds_per_caller, settings.number_hold_minutes
    settings.number_holds_per_caller, settings.number_hold_minutes = 1, 5
    try:
        clock.set(clock.now())
        _, numbers = await fresh_numbers(2)
        tok = token()
        first = await reserve(api, numbers[0], tok)
        expires = first["reservation"]["expiresAt"]
        assert datetime.fromisoformat(expires) == clock.now() + timedelta(minutes=5)
        assert (await reserve(api, numbers[1], tok))["userErrors"][0]["code"] == "NUMBER_HOLD_LIMIT"
    finally:
        settings.number_holds_per_caller, settings.number_hold_minutes = saved
