"""packPurchase: at once, paid from the balance, granting allowance buckets; idempotent."""

from datetime import datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.catalog import AddOn
from db.models.ledger import BalanceEntry
from db.models.usage import AllowanceBucket
from db.repositories.balances import credit
from domain.calendar import SHANGHAI
from tests.api.order_helpers import (
    OUTBOX,
    PACK_PURCHASE,
    balance_of,
    codes,
    new_key,
    open_roaming,
    orders_of,
)
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar

NOW = datetime(2026, 11, 22, 9, 15, tzinfo=SHANGHAI)


async def buckets_of(subscriber_id: int) -> list[AllowanceBucket]:
    return await AllowanceBucket.filter(subscriber_id=subscriber_id).order_by("id")


async def test_a_seven_day_pack_is_charged_and_granted_at_once(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services, balance_fen=2_500)
    out = await api.as_(sub.token).data(PACK_PURCHASE, pack="ADD-7D-1G", key=new_key())
    order = out["packPurchase"]["order"]
    assert out["packPurchase"]["userErrors"] == []
    assert order["kind"] == "PACK_PURCHASE" and order["status"] == "COMPLETED"
    assert order["chargedFen"] == order["finalPriceFen"] == 1000
    assert order["addOn"] == {"id": "ADD-7D-1G", "name": "7天流量包 1GB"}
    assert datetime.fromisoformat(order["effectiveFrom"]) == NOW
    assert await balance_of(sub.id) == 1_500
    (entry,) = await BalanceEntry.filter(subscriber_id=sub.id)
    assert (entry.delta_fen, entry.reason, entry.ref) == (-1000, "PACK_PURCHASE", order["id"])
    (bucket,) = await buckets_of(sub.id)
    assert (bucket.kind.value, bucket.total, bucket.used) == ("DATA", 1024 * 1024, 0)
    assert (bucket.source, bucket.source_id, bucket.source_name) == (
        "ADDON",
        "ADD-7D-1G",
        "7天流量包 1GB",
    )
    assert bucket.valid_from == NOW and bucket.valid_until == NOW + timedelta(days=7)
    outbox = (await api.data(OUTBOX, m=sub.msisdn))["dev"]["outbox"]
    assert outbox[0]["kind"] == "ORDER_PACK_PURCHASE" and "¥10.00" in outbox[0]["text"]


async def test_a_month_end_pack_lasts_until_the_first(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services, balance_fen=500)
    await api.as_(sub.token).data(PACK_PURCHASE, pack="ADD-ME-1G", key=new_key())
    (bucket,) = await buckets_of(sub.id)
    assert bucket.valid_until == datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert await balance_of(sub.id) == 0


async def test_a_roaming_pack_grants_data_and_voice(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services, balance_fen=20_000)
    await open_roaming(sub.id)
    await api.as_(sub.token).data(PACK_PURCHASE, pack="ROAM-JPKR-7D", key=new_key())
    data, voice = await buckets_of(sub.id)
    assert (data.kind.value, data.total) == ("DATA", 5 * 1024 * 1024)
    assert (voice.kind.value, voice.total) == ("VOICE", 100)
    assert data.valid_until == voice.valid_until == NOW + timedelta(days=7)


async def test_the_half_year_pack_tops_up_and_extends(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services, balance_fen=20_000)
    me = api.as_(sub.token)
    await me.data(PACK_PURCHASE, pack="ADD-HY-6G", key=new_key())
    (bucket,) = await buckets_of(sub.id)
    assert bucket.valid_until == datetime(2027, 5, 22, 9, 15, tzinfo=SHANGHAI)
    used = 2 * 1024 * 1024  # 2GB of the first 6GB used
    await AllowanceBucket.filter(id=bucket.id).update(used=used)

    later = datetime(2027, 2, 10, 20, 0, tzinfo=SHANGHAI)
    clock.set(later)
    out = (await me.data(PACK_PURCHASE, pack="ADD-HY-6G", key=new_key()))["packPurchase"]
    assert out["userErrors"] == []
    (again,) = await buckets_of(sub.id)
    assert again.id == bucket.id
    assert again.total - again.used == 4 * 1024 * 1024 + 6 * 1024 * 1024  # what remained + 6GB
    assert again.valid_until == datetime(2027, 8, 10, 20, 0, tzinfo=SHANGHAI)  # 6 months on
    assert await balance_of(sub.id) == 20_000 - 2 * 5000

    # Once it has run out, buying again starts a new bucket.
    clock.set(datetime(2027, 9, 1, tzinfo=SHANGHAI))
    await me.data(PACK_PURCHASE, pack="ADD-HY-6G", key=new_key())
    assert len(await buckets_of(sub.id)) == 2


async def test_insufficient_balance_orders_and_charges_nothing(api, services):
    sub = await subscribe(services, balance_fen=999)
    out = await api.as_(sub.token).data(PACK_PURCHASE, pack="ADD-7D-1G", key=new_key())
    assert out["packPurchase"]["order"] is None
    assert codes(out["packPurchase"]) == ["INSUFFICIENT_BALANCE"]
    assert await balance_of(sub.id) == 999
    assert await orders_of(sub.id) == [] and await buckets_of(sub.id) == []
    assert await BalanceEntry.filter(subscriber_id=sub.id).count() == 0


@pytest.mark.parametrize(
    ("pack_id", "code"),
    [
        ("NOPE", "UNKNOWN_PACK"),
        ("", "UNKNOWN_PACK"),
        ("x" * 3000, "UNKNOWN_PACK"),
        ("DATA-1G", "PACK_NOT_AVAILABLE"),  # a combo pack, not an add-on
        ("ADD-RETIRED", "PACK_NOT_AVAILABLE"),
        ("4G-136", "UNKNOWN_PACK"),
    ],
)
async def test_bad_pack_ids_order_and_charge_nothing(api, services, pack_id, code):
    await AddOn.update_or_create(
        id="ADD-RETIRED",
        defaults={"kind": "SEVEN_DAY_DATA", "name": "旧7天包", "price_fen": 100,
                  "validity_kind": "DAYS", "validity_length": 7, "active": False},
    )  # fmt: skip
    sub = await subscribe(services, balance_fen=10_000)
    out = await api.as_(sub.token).data(PACK_PURCHASE, pack=pack_id, key=new_key())
    assert [(e["code"], e["field"]) for e in out["packPurchase"]["userErrors"]] == [
        (code, "packId")
    ]
    assert await balance_of(sub.id) == 10_000 and await orders_of(sub.id) == []


async def test_same_key_twice_is_one_order_and_one_charge(api, services):
    sub = await subscribe(services, balance_fen=10_000)
    me = api.as_(sub.token)
    key = new_key()
    first = (await me.data(PACK_PURCHASE, pack="ADD-7D-3G", key=key))["packPurchase"]["order"]
    again = (await me.data(PACK_PURCHASE, pack="ADD-7D-3G", key=key))["packPurchase"]["order"]
    assert again == first
    assert await balance_of(sub.id) == 8_000
    assert len(await orders_of(sub.id)) == 1 and len(await buckets_of(sub.id)) == 1
    assert await BalanceEntry.filter(subscriber_id=sub.id).count() == 1
    outbox = (await api.data(OUTBOX, m=sub.msisdn))["dev"]["outbox"]
    assert [m["kind"] for m in outbox].count("ORDER_PACK_PURCHASE") == 1
    other = (await me.data(PACK_PURCHASE, pack="ADD-7D-1G", key=key))["packPurchase"]
    assert codes(other) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await balance_of(sub.id) == 8_000


async def test_a_failed_purchase_may_be_retried_with_its_key(api, services):
    sub = await subscribe(services, balance_fen=500)
    me = api.as_(sub.token)
    key = new_key()
    failed = (await me.data(PACK_PURCHASE, pack="ADD-7D-1G", key=key))["packPurchase"]
    assert codes(failed) == ["INSUFFICIENT_BALANCE"]
    async with in_transaction() as conn:
        await credit(conn, sub.id, 1_000, "RECHARGE", at=hall_now())
    ok = (await me.data(PACK_PURCHASE, pack="ADD-7D-1G", key=key))["packPurchase"]
    assert ok["userErrors"] == [] and await balance_of(sub.id) == 500


async def test_limited_sessions_may_not_buy(api, subscriber):
    body = await api.as_(subscriber.limited_token)(PACK_PURCHASE, pack="ADD-7D-1G", key=new_key())
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await balance_of(subscriber.id) == 10_000


async def test_closed_numbers_may_not_buy(api, services):
    sub = await subscribe(services, balance_fen=10_000)
    await Subscriber.filter(id=sub.id).update(status="CLOSED")
    out = await api.as_(sub.token).data(PACK_PURCHASE, pack="ADD-7D-1G", key=new_key())
    assert codes(out["packPurchase"]) == ["ACCOUNT_CLOSED"]
    assert await balance_of(sub.id) == 10_000
