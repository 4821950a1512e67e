"""Roaming usage beyond a roaming pack is charged at the zone's roaming rates from the catalog,
never at domestic pay-as-you-go; domestic usage keeps the domestic rates."""

from db.models.catalog import RoamingDestination
from tests.api.order_helpers import PACK_PURCHASE, balance_of, open_roaming
from tests.billing_helpers import INGEST, data, voice
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

MB = 1024 * 1024


async def test_overflow_in_a_zone_costs_that_zones_rates(api, services, operator_token):
    hmt = await RoamingDestination.get(code="HMT")
    eu = await RoamingDestination.get(code="EU")
    assert hmt.data_fen_per_mb != 30 and eu.voice_fen_per_minute != 15  # not domestic
    sub = await subscribe(services, plan_id="4G-76", balance_fen=50_000)
    await open_roaming(sub.id)
    me = api.as_(sub.token)
    out = (await me.data(PACK_PURCHASE, pack="ROAM-HMT-1D", key="roam-hmt"))["packPurchase"]
    assert out["userErrors"] == []
    before = await balance_of(sub.id)
    at = hall_now()
    events = [
        data(sub.msisdn, 1024 * MB + 4 * MB, at, roamingZone="HMT"),  # the 1GB pack, then 4 MB
        voice(sub.msisdn, 150, at, roamingZone="EU"),  # no EU pack: 3 minutes at EU rates
    ]
    body = (await api.as_(operator_token).data(INGEST, events=events))["usageIngest"]
    assert body["userErrors"] == []
    expected = 4 * hmt.data_fen_per_mb + 3 * eu.voice_fen_per_minute
    assert body["chargedFen"] == expected
    assert await balance_of(sub.id) == before - expected
