"""realNameRegister (实名补登记): validation, at most 5 numbers per ID under concurrency, and the
ID number never stored in clear."""

from __future__ import annotations

import asyncio
import secrets

from db.models.accounts import Subscriber
from db.models.numbers import SubscriberIdentity
from tests.api.auth_helpers import OUTBOX
from tests.conftest import subscribe

REGISTER = """
mutation($name: String!, $id: String!) {
  realNameRegister(input: {name: $name, idNumber: $id}) {
    realNameVerified idNumberMasked userErrors { code field }
  }
}"""


def new_id(born: str = "19900517") -> str:
    first17 = "110105" + born + f"{secrets.randbelow(1000):03d}"
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


async def register(api, sub, id_number: str, name: str = "张三") -> dict:
    return (await api.as_(sub.token).data(REGISTER, name=name, id=id_number))["realNameRegister"]


async def test_registration_verifies_the_number_and_keeps_the_id_masked(api, services) -> None:
    sub = await subscribe(services, real_name=None)
    id_number = new_id()
    result = await register(api, sub, id_number)
    assert result == {
        "realNameVerified": True,
        "idNumberMasked": "110***********" + id_number[-4:],
        "userErrors": [],
    }
    row = await Subscriber.get(id=sub.id)
    assert row.real_name_verified and row.real_name == "张三"
    identity = await SubscriberIdentity.get(subscriber_id=sub.id)
    assert id_number not in repr(identity.__dict__) and id_number[6:14] not in identity.id_masked
    outbox = (await api.data(OUTBOX, m=sub.msisdn))["dev"]["outbox"]
    assert any(n["kind"] == "REAL_NAME_REGISTERED" for n in outbox)
    assert all(id_number not in n["text"] for n in outbox)
    again = await register(api, sub, id_number)
    assert again["userErrors"][0]["code"] == "REAL_NAME_ALREADY_VERIFIED"


async def test_bad_ids_and_young_holders_are_refused(api, services) -> None:
    sub = await subscribe(services, real_name=None)
    bad = new_id()
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    assert (await register(api, sub, bad))["userErrors"] == [
        {"code": "INVALID_ID_NUMBER", "field": "idNumber"}
    ]
    young = new_id("20200101")
    assert (await register(api, sub, young))["userErrors"][0]["code"] == "TOO_YOUNG"
    assert (await register(api, sub, new_id(), name="1"))["userErrors"][0]["code"] == "INVALID_NAME"
    assert not (await Subscriber.get(id=sub.id)).real_name_verified


async def test_five_numbers_per_id(api, services) -> None:
    id_number = new_id()
    subs = [await subscribe(services, real_name=None) for _ in range(6)]
    results = [await register(api, s, id_number) for s in subs]
    assert all(r["realNameVerified"] for r in results[:5])
    assert results[5]["userErrors"][0]["code"] == "ID_LIMIT_REACHED"


async def test_10_concurrent_registrations_on_an_id_with_4_numbers(api, services, postgres_only):
    id_number = new_id()
    for _ in range(4):
        assert (await register(api, await subscribe(services, real_name=None), id_number))[
            "realNameVerified"
        ]
    subs = [await subscribe(services, real_name=None) for _ in range(10)]
    results = await asyncio.gather(*(register(api, s, id_number) for s in subs))
    assert sum(1 for r in results if r["realNameVerified"]) == 1
    assert {e["code"] for r in results for e in r["userErrors"]} == {"ID_LIMIT_REACHED"}
