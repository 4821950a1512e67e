"""quoteBundle / quotePlanChange / quotePackPurchase: the final shape of a quote, list prices for
now, anonymous or for the logged-in subscriber."""

from datetime import UTC, datetime

import pytest

from domain.calendar import SHANGHAI
from tests.api.order_helpers import QUOTE_BUNDLE, QUOTE_FIELDS

pytestmark = pytest.mark.calendar

COMBO = {"dataPackId": "DATA-2G", "voicePackId": "VOICE-300", "smsPackId": "SMS-200",
         "vasPackIds": ["VAS-CALLER-ID", "VAS-CLOUD"]}  # fmt: skip
COMBO_FEN = 7200 + 4000 + 1000 + 500 + 1000


async def test_quote_bundle_anonymously(api, clock):
    clock.set(datetime(2026, 5, 17, 10, tzinfo=SHANGHAI))
    quote = (await api.data(QUOTE_BUNDLE, input=COMBO, channel="APP"))["quoteBundle"]
    assert quote["userErrors"] == []
    assert quote["listPriceFen"] == quote["finalPriceFen"] == COMBO_FEN
    assert quote["discountFen"] == 0
    assert quote["effectiveFrom"] == "2026-05-31T16:00:00+00:00"  # 1 June 00:00 Shanghai
    assert [line["offeringId"] for line in quote["lines"]] == [
        "DATA-2G",
        "VOICE-300",
        "SMS-200",
        "VAS-CALLER-ID",
        "VAS-CLOUD",
    ]
    assert sum(line["listPriceFen"] for line in quote["lines"]) == COMBO_FEN
    assert all(line["adjustments"] == [] for line in quote["lines"])
    assert quote["rejected"] == []
    assert [m["month"] for m in quote["schedule"]] == [
        "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11",
        "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05",
    ]  # fmt: skip
    assert {m["priceFen"] for m in quote["schedule"]} == {COMBO_FEN}
    assert quote["pointsToEarn"] == COMBO_FEN // 100


async def test_quote_bundle_for_a_subscriber_prices_the_same_list(api, subscriber):
    anonymous = (await api.data(QUOTE_BUNDLE, input=COMBO, channel="WEB"))["quoteBundle"]
    mine = (await api.as_(subscriber.token).data(QUOTE_BUNDLE, input=COMBO, channel="WEB"))[
        "quoteBundle"
    ]
    assert mine == anonymous


async def test_the_order_packs_are_given_in_does_not_change_the_quote(api):
    shuffled = dict(COMBO, vasPackIds=["VAS-CLOUD", "VAS-CALLER-ID"])
    a = (await api.data(QUOTE_BUNDLE, input=COMBO, channel="WEB"))["quoteBundle"]
    b = (await api.data(QUOTE_BUNDLE, input=shuffled, channel="WEB"))["quoteBundle"]
    assert a == b


@pytest.mark.parametrize(
    ("now", "effective"),
    [
        # 23:59:59 on the last day of a month, and of a year, in Shanghai.
        (datetime(2026, 4, 30, 23, 59, 59, tzinfo=SHANGHAI), "2026-04-30T16:00:00+00:00"),
        (datetime(2026, 12, 31, 23, 59, 59, tzinfo=SHANGHAI), "2026-12-31T16:00:00+00:00"),
        # Exactly midnight on the 1st: the change still waits for the next 1st.
        (datetime(2027, 1, 1, 0, 0, 0, tzinfo=SHANGHAI), "2027-01-31T16:00:00+00:00"),
        # Already 1 January in Shanghai while UTC still says 31 December.
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "2027-01-31T16:00:00+00:00"),
    ],
)
async def test_effective_from_is_midnight_shanghai_on_the_next_first(api, clock, now, effective):
    clock.set(now)
    quote = (await api.data(QUOTE_BUNDLE, input=COMBO, channel="WEB"))["quoteBundle"]
    assert quote["effectiveFrom"] == effective
    assert datetime.fromisoformat(effective) > now


async def test_an_invalid_composition_is_reported_in_full(api):
    bad = {
        "dataPackId": "VAS-CLOUD",  # a VAS id given as the data pack
        "voicePackId": "NOPE",
        "vasPackIds": ["VAS-CALLER-ID", "VAS-CALLER-ID", "VOICE-200", "VOICE-500"],
    }
    quote = (await api.data(QUOTE_BUNDLE, input=bad, channel="WEB"))["quoteBundle"]
    assert quote["listPriceFen"] is None and quote["lines"] == [] and quote["schedule"] == []
    assert sorted((e["code"], e["field"]) for e in quote["userErrors"]) == [
        ("DATA_PACK_REQUIRED", "dataPackId"),
        ("DUPLICATE_PACK", "vasPackIds[1]"),
        ("TOO_MANY_OF_KIND", "vasPackIds[3]"),
        ("UNKNOWN_PACK", "voicePackId"),
    ]
    assert all(e["message"] for e in quote["userErrors"])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, ["DATA_PACK_REQUIRED"]),
        ({"dataPackId": ""}, ["UNKNOWN_PACK"]),
        ({"dataPackId": "x" * 5000}, ["UNKNOWN_PACK"]),
        ({"dataPackId": "DATA-1G", "vasPackIds": ["VAS-CLOUD"] * 500}, ["TOO_MANY_OF_KIND"]),
        ({"dataPackId": "DATA-1G", "smsPackId": "DATA-1G"}, ["DUPLICATE_PACK"]),
        ({"dataPackId": "DATA-1G", "smsPackId": "VOICE-200", "voicePackId": "VOICE-300"},
         ["TOO_MANY_OF_KIND"]),
        ({"dataPackId": "'; DROP TABLE pack; --"}, ["UNKNOWN_PACK"]),
    ],
)  # fmt: skip
async def test_bad_bundle_input(api, given, expected):
    quote = (await api.data(QUOTE_BUNDLE, input=given, channel="WEB"))["quoteBundle"]
    assert [e["code"] for e in quote["userErrors"]] == expected
    assert quote["listPriceFen"] is None


async def test_a_retired_pack_is_not_available(api):
    from db.models.catalog import Pack

    await Pack.update_or_create(
        id="DATA-50M-OLD",
        defaults={"kind": "DATA", "name": "流量包 50MB", "price_fen": 500, "active": False},
    )
    quote = (await api.data(QUOTE_BUNDLE, input={"dataPackId": "DATA-50M-OLD"}, channel="WEB"))[
        "quoteBundle"
    ]
    assert [(e["code"], e["field"]) for e in quote["userErrors"]] == [
        ("PACK_NOT_AVAILABLE", "dataPackId")
    ]


async def test_quote_plan_change_and_pack_purchase(api, clock):
    now = datetime(2026, 11, 22, 9, 30, tzinfo=SHANGHAI)
    clock.set(now)
    data = await api.data(
        '{ plan: quotePlanChange(planId: "4G-166", channel: APP) { ' + QUOTE_FIELDS + " }"
        ' pack: quotePackPurchase(packId: "ADD-7D-1G") { ' + QUOTE_FIELDS + " }"
        ' bad: quotePlanChange(planId: "NOPE") { listPriceFen userErrors { code field } } }'
    )
    plan, pack = data["plan"], data["pack"]
    assert plan["listPriceFen"] == plan["finalPriceFen"] == 16600
    assert plan["effectiveFrom"] == "2026-11-30T16:00:00+00:00"
    assert {m["priceFen"] for m in plan["schedule"]} == {16600}
    assert pack["listPriceFen"] == 1000
    assert datetime.fromisoformat(pack["effectiveFrom"]) == now  # add-ons take effect at once
    assert [m["priceFen"] for m in pack["schedule"]] == [1000] + [0] * 11  # a one-off charge
    assert pack["lines"][0]["kind"] == "ADDON"
    assert data["bad"] == {
        "listPriceFen": None,
        "userErrors": [{"code": "UNKNOWN_PLAN", "field": "planId"}],
    }
