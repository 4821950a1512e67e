"""A directional video pack bought in the hall pays only for its app's data; a roaming pack only
abroad in its zone. The pack comes from the catalog's packPurchase, the draws from rating."""

import pytest

from tests.api.order_helpers import PACK_PURCHASE, open_roaming
from tests.billing_helpers import INGEST, data
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar

ALLOWANCES = "{ me { allowances { kind source sourceName scope total used } } }"
MB = 1024 * 1024


async def test_directional_and_roaming_packs_pay_only_for_their_use(api, services, operator_token):
    sub = await subscribe(services, plan_id="4G-76", balance_fen=50_000)
    me = api.as_(sub.token)
    await open_roaming(sub.id)
    for pack in ("ADD-DIR-IQIYI", "ROAM-HMT-1D"):
        out = (await me.data(PACK_PURCHASE, pack=pack, key=f"buy-{pack}"))["packPurchase"]
        assert out["userErrors"] == []
    at = hall_now()  # after the purchases: a pack pays only from the moment it is bought
    events = [
        data(sub.msisdn, 10 * MB, at),  # ordinary video traffic: the plan pays
        data(sub.msisdn, 20 * MB, at, serviceName="爱奇艺"),  # iQIYI: the directional pack pays
        data(sub.msisdn, 5 * MB, at, roamingZone="HMT"),  # in Hong Kong: the roaming pack pays
    ]
    body = (await api.as_(operator_token).data(INGEST, events=events))["usageIngest"]
    assert body["userErrors"] == [] and body["chargedFen"] == 0
    bars = {
        b["sourceName"]: b
        for b in (await me.data(ALLOWANCES))["me"]["allowances"]
        if b["kind"] == "DATA"
    }
    assert bars["4G全国套餐 76元"]["used"] == 10 and bars["4G全国套餐 76元"]["scope"] is None
    assert bars["爱奇艺定向流量包"] == {
        **bars["爱奇艺定向流量包"],
        "used": 20,
        "scope": "APP:爱奇艺",
    }
    assert bars["港澳台 1天流量包"] == {**bars["港澳台 1天流量包"], "used": 5, "scope": "ROAM:HMT"}


async def test_the_same_pack_twice_in_one_instant_grants_twice(api, services, clock):
    """Two orders of one add-on at the same microsecond are two grants, not a collision."""
    from datetime import UTC, datetime

    sub = await subscribe(services, plan_id="4G-76", balance_fen=50_000)
    clock.set(datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    me = api.as_(sub.token)
    for key in ("twice-1", "twice-2"):
        out = (await me.data(PACK_PURCHASE, pack="ADD-7D-1G", key=key))["packPurchase"]
        assert out["userErrors"] == [] and out["order"]["status"] == "COMPLETED"
    bars = [
        b
        for b in (await me.data(ALLOWANCES))["me"]["allowances"]
        if b["sourceName"] == "7天流量包 1GB"
    ]
    assert len(bars) == 2
