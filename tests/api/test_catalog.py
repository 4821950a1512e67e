"""The `catalog` query: the seed price points of DESIGN §4, by kind."""

from db.models.catalog import AddOn, Pack, Plan

CATALOG = """{ catalog {
  plans { id kind name monthlyFeeFen allowances { kind amount unit } requires5g speedCapAfterMb components { id } }
  packs { id kind name amount unit priceFen }
  addOns { id kind name priceFen validity validityKind validityLength app allowances { kind amount unit } destination { code } }
  roamingDestinations { code name countries { code name } packs { id name priceFen validity } } } }"""


async def test_the_4g_national_plans_and_their_allowances(api):
    plans = {p["id"]: p for p in (await api.data(CATALOG))["catalog"]["plans"]}
    expected = {
        "4G-76": (7600, 200, 400),
        "4G-106": (10600, 300, 800),
        "4G-136": (13600, 500, 1024),
        "4G-166": (16600, 500, 2048),
        "4G-196": (19600, 500, 3072),
        "4G-296": (29600, 1000, 4096),
        "4G-396": (39600, 2000, 6144),
        "4G-596": (59600, 3000, 11264),
    }
    for plan_id, (fee, minutes, mb) in expected.items():
        plan = plans[plan_id]
        assert plan["monthlyFeeFen"] == fee and plan["kind"] == "PLAN" and not plan["requires5g"]
        assert {"kind": "DATA", "amount": mb, "unit": "MB"} in plan["allowances"]
        assert {"kind": "VOICE", "amount": minutes, "unit": "MIN"} in plan["allowances"]
    ice = plans["ICE-398"]
    assert ice["monthlyFeeFen"] == 39800 and ice["speedCapAfterMb"] == 40 * 1024
    five_g = [p for p in plans.values() if p["requires5g"]]
    assert five_g and all(p["id"].startswith("5G-") for p in five_g)
    assert all(p["kind"] == "PLAN" and p["components"] == [] for p in plans.values())


async def test_packs_by_kind_at_the_seed_price_points(api):
    data = await api.data(
        "{ catalog { data: packs(kind: DATA) { id kind amount unit priceFen }"
        " voice: packs(kind: VOICE) { amount unit priceFen }"
        " sms: packs(kind: SMS) { amount unit priceFen }"
        " vas: packs(kind: VAS) { id name amount unit priceFen } } }"
    )
    catalog = data["catalog"]
    assert {p["kind"] for p in catalog["data"]} == {"DATA"}
    assert [(p["amount"], p["priceFen"]) for p in catalog["data"]] == [
        (100, 800),
        (300, 1600),
        (500, 2400),
        (1024, 4800),
        (2048, 7200),
        (3072, 9600),
        (4096, 12000),
        (6144, 15200),
        (11264, 23200),
    ]
    assert all(p["unit"] == "MB" for p in catalog["data"])
    assert [(p["amount"], p["priceFen"]) for p in catalog["voice"]] == [
        (200, 3200),
        (300, 4000),
        (500, 5600),
        (1000, 11200),
        (2000, 16000),
        (3000, 24000),
    ]
    assert [(p["amount"], p["unit"], p["priceFen"]) for p in catalog["sms"]] == [
        (200, "MSG", 1000),
        (400, "MSG", 2000),
        (600, "MSG", 3000),
    ]
    vas = {p["name"]: p for p in catalog["vas"]}
    assert vas["来电显示"]["priceFen"] == 500 and vas["视频彩铃"]["priceFen"] == 600
    assert vas["和彩云网盘 50GB"]["priceFen"] == 1000
    assert all(p["amount"] is None and p["unit"] is None for p in catalog["vas"])


async def test_add_ons_and_their_validity(api):
    add_ons = {a["id"]: a for a in (await api.data(CATALOG))["catalog"]["addOns"]}
    kinds = {a["kind"] for a in add_ons.values()}
    assert kinds == {
        "SEVEN_DAY_DATA",
        "MONTH_END_DATA",
        "HALF_YEAR_DATA",
        "DIRECTIONAL_VIDEO",
        "ROAMING",
    }
    assert add_ons["ADD-7D-1G"]["validity"] == "7天"
    assert add_ons["ADD-ME-1G"]["validity"] == "当月有效"
    assert add_ons["ADD-HY-6G"]["validity"] == "6个月"
    assert add_ons["ADD-HY-6G"]["allowances"] == [{"kind": "DATA", "amount": 6144, "unit": "MB"}]
    assert add_ons["ADD-DIR-IQIYI"]["app"] == "爱奇艺"
    assert add_ons["ROAM-JPKR-1D"]["destination"] == {"code": "JPKR"}
    half_year = (await api.data("{ catalog { addOns(kind: HALF_YEAR_DATA) { id } } }"))["catalog"]
    assert {a["id"] for a in half_year["addOns"]} == {"ADD-HY-6G", "ADD-HY-12G"}


async def test_roaming_destinations_with_countries_and_packs(api):
    destinations = {
        d["code"]: d for d in (await api.data(CATALOG))["catalog"]["roamingDestinations"]
    }
    assert destinations["HMT"]["name"] == "港澳台"
    assert {c["code"] for c in destinations["JPKR"]["countries"]} == {"JP", "KR"}
    assert {"code": "FR", "name": "法国"} in destinations["EU"]["countries"]
    assert all(d["packs"] for d in destinations.values())
    assert {p["id"] for p in destinations["EU"]["packs"]} == {"ROAM-EU-1D", "ROAM-EU-7D"}


async def test_retired_and_combo_offerings_are_not_listed(api):
    await Plan.update_or_create(
        id="4G-58-OLD",
        defaults={"name": "4G飞享套餐 58元", "monthly_fee_fen": 5800, "active": False},
    )
    await Pack.update_or_create(
        id="DATA-50M-OLD",
        defaults={"kind": "DATA", "name": "流量包 50MB", "price_fen": 500, "active": False},
    )
    await AddOn.update_or_create(
        id="ADD-OLD",
        defaults={
            "kind": "SEVEN_DAY_DATA",
            "name": "旧7天包",
            "price_fen": 100,
            "validity_kind": "DAYS",
            "validity_length": 7,
            "active": False,
        },
    )
    catalog = (await api.data(CATALOG))["catalog"]
    assert "4G-58-OLD" not in {p["id"] for p in catalog["plans"]}
    assert not any(p["id"].startswith("COMBO-") for p in catalog["plans"])
    assert "DATA-50M-OLD" not in {p["id"] for p in catalog["packs"]}
    assert "ADD-OLD" not in {a["id"] for a in catalog["addOns"]}


async def test_the_catalog_needs_no_session(api, subscriber):
    anonymous = (await api.data("{ catalog { plans { id } } }"))["catalog"]
    with_session = (await api.as_(subscriber.limited_token).data("{ catalog { plans { id } } }"))[
        "catalog"
    ]
    assert anonymous == with_session and len(anonymous["plans"]) >= 13
