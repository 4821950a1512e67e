"""The marketing API: festivals and campaigns, their lifecycle, warnings, permissions, the
public campaign list, the audit log and promotionPreview."""

from datetime import datetime, timedelta

import pytest

from db.seed.promotions import festival_517, festival_1111, season_festival
from domain.calendar import SHANGHAI
from tests.api.promo_helpers import (
    AUDIT,
    CREATE,
    END,
    FESTIVAL,
    PAUSE,
    PREVIEW,
    PUBLIC_LIST,
    RESUME,
    STAFF_LIST,
    UPDATE,
    Window,
    campaign_input,
    codes,
    create,
    error_codes,
    promotions_cleanup,  # noqa: F401 (fixture)
)
from tests.hall_clock import SEEDED_AT, seeded

pytestmark = pytest.mark.usefixtures("promotions_cleanup")


async def test_contract_create_is_published_and_listed_for_marketing(api, marketing_token, clock):
    w = Window()
    clock.set(w.before)
    fest = (
        await api.as_(marketing_token).data(
            FESTIVAL,
            input={"name": "517 网购节", "startsAt": w.start, "endsAt": w.end},
        )
    )["festivalCreate"]
    assert fest["userErrors"] == [] and fest["festival"]["status"] == "SCHEDULED"
    festival_id = fest["festival"]["id"]
    out = await api.as_(marketing_token).data(
        CREATE,
        input=campaign_input(
            w,
            festivalId=festival_id,
            name="冰激凌套餐半价",
            channels=["APP"],
            audience={"existingSubscriber": True},
            targets={"planIds": ["ICE-398"]},
            benefit={"kind": "PERCENT_OFF", "percentBp": 5000},
            priority=10,
            stacking="EXCLUSIVE",
            caps={"unitsTotal": 100000, "perSubscriber": 1},
        ),
    )
    payload = out["campaignCreate"]
    assert payload["userErrors"] == [] and payload["warnings"] == []
    c = payload["campaign"]
    assert c["status"] == "SCHEDULED" and c["id"].startswith("cmp-")
    assert c["festival"] == {"id": festival_id, "name": "517 网购节"}
    assert c["channels"] == ["APP"] and c["stacking"] == "EXCLUSIVE" and c["priority"] == 10
    assert c["audience"]["existingSubscriber"] and not c["audience"]["newSubscriber"]
    assert c["caps"] == {"unitsTotal": 100000, "perSubscriber": 1, "budgetFen": None}
    assert c["benefit"]["summary"] == "5折" and c["version"] == 1
    assert c["createdBy"] == "marketing"
    assert c["stats"] == {
        "ordersCount": 0,
        "unitsUsed": 0,
        "discountGivenFen": 0,
        "revenueFen": 0,
        "unitsTaken": 0,
        "budgetSpentFen": 0,
    }
    listed = await api.as_(marketing_token).data(
        STAFF_LIST, filter={"festivalId": festival_id, "status": ["SCHEDULED"]}
    )
    assert [n["id"] for n in listed["campaigns"]["nodes"]] == [c["id"]]
    none_active = await api.as_(marketing_token).data(
        STAFF_LIST, filter={"festivalId": festival_id, "status": ["ACTIVE", "ENDED"]}
    )
    assert none_active["campaigns"]["nodes"] == []


async def test_customers_and_anonymous_callers_get_permission_errors(
    api, subscriber, operator_token, marketing_token, clock
):
    w = Window()
    clock.set(w.before)
    mine = await create(api, marketing_token, w)
    calls = [
        (CREATE, {"input": campaign_input(w)}),
        (UPDATE, {"input": {"id": mine["id"], "name": "x"}}),
        (PAUSE, {"id": mine["id"]}),
        (RESUME, {"id": mine["id"]}),
        (END, {"id": mine["id"]}),
        (FESTIVAL, {"input": {"name": "x", "startsAt": w.start, "endsAt": w.end}}),
        (PREVIEW, {"input": {"at": w.start, "packId": "ADD-7D-1G"}}),
        (AUDIT, {"campaignId": mine["id"]}),
    ]
    for token, expected in (
        (None, "UNAUTHENTICATED"),
        (subscriber.token, "FORBIDDEN"),
        (operator_token, "FORBIDDEN"),
    ):
        for query, variables in calls:
            body = await api.as_(token)(query, **variables)
            assert error_codes(body) == {expected}, (query, body)
            assert body["data"] is None or all(v is None for v in body["data"].values())
    audit = await api.as_(marketing_token).data(AUDIT, campaignId=mine["id"])
    assert [e["action"] for e in audit["promotionAudit"]["nodes"]] == ["CAMPAIGN_CREATE"]


async def test_customers_see_active_campaigns_and_only_their_public_fields(
    api, subscriber, marketing_token, clock
):
    w = Window()
    clock.set(w.during)
    active = await create(api, marketing_token, w, name="进行中")
    await create(api, marketing_token, w, name="草稿", draft=True)
    later = Window()
    await create(api, marketing_token, later, name="未开始")
    for token in (None, subscriber.token):
        body = await api.as_(token).data(PUBLIC_LIST, filter={"status": ["DRAFT", "SCHEDULED"]})
        nodes = body["campaigns"]["nodes"]
        assert [n["name"] for n in nodes] == ["进行中"]
        assert nodes[0]["status"] == "ACTIVE" and nodes[0]["targets"]["packIds"] == ["ADD-7D-1G"]
        staff_only = await api.as_(token)(STAFF_LIST)
        assert error_codes(staff_only) <= {"FORBIDDEN", "UNAUTHENTICATED"} and staff_only["errors"]
        node = staff_only["data"]["campaigns"]["nodes"][0]
        assert node["name"] == "进行中" and node["caps"] is None and node["stats"] is None
    one = "query($id: ID!) { campaign(id: $id) { name status } }"
    assert (await api.data(one, id=active["id"]))["campaign"] == {
        "name": "进行中",
        "status": "ACTIVE",
    }
    scheduled_id = (await api.as_(marketing_token).data(STAFF_LIST, filter={"search": "未开始"}))[
        "campaigns"
    ]["nodes"][0]["id"]
    assert (await api.data(one, id=scheduled_id))["campaign"] is None
    assert (await api.as_(marketing_token).data(one, id=scheduled_id))["campaign"]["status"] == (
        "SCHEDULED"
    )


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"benefit": {"kind": "PERCENT_OFF", "percentBp": 500, "amountFen": 100}},
         "INVALID_CAMPAIGN", "benefit.amountFen"),
        ({"benefit": {"kind": "PERCENT_OFF", "percentBp": 10001}},
         "INVALID_CAMPAIGN", "benefit.percentBp"),
        ({"benefit": {"kind": "RECURRING", "percentBp": 500}}, "INVALID_CAMPAIGN", "benefit"),
        ({"targets": {"planIds": ["NO-SUCH-PLAN"]}}, "INVALID_CAMPAIGN", "targets.planIds"),
        ({"targets": {}}, "INVALID_CAMPAIGN", "targets"),
        ({"channels": []}, "INVALID_CAMPAIGN", "channels"),
        ({"audience": {"newSubscriber": True, "existingSubscriber": True}},
         "INVALID_CAMPAIGN", "audience"),
        ({"audience": {"minTenureMonths": -1}}, "INVALID_CAMPAIGN", "audience.minTenureMonths"),
        ({"caps": {"unitsTotal": -5}}, "INVALID_CAMPAIGN", "caps.unitsTotal"),
        ({"festivalId": "fest-nope"}, "NOT_FOUND", "festivalId"),
        ({"name": "  "}, "INVALID_CAMPAIGN", "name"),
    ],
)  # fmt: skip
async def test_invalid_campaigns_are_user_errors_on_their_field(
    api, marketing_token, clock, fields, code, field
):
    w = Window()
    clock.set(w.before)
    out = await api.as_(marketing_token).data(CREATE, input=campaign_input(w, **fields))
    payload = out["campaignCreate"]
    assert payload["campaign"] is None
    assert (payload["userErrors"][0]["code"], payload["userErrors"][0]["field"]) == (code, field)


async def test_a_naive_start_is_refused_by_the_datetime_scalar(api, marketing_token, clock):
    w = Window()
    clock.set(w.before)
    body = await api.as_(marketing_token)(
        CREATE, input=campaign_input(w, startsAt="2041-03-05T00:00:00")
    )
    assert body["data"] is None
    assert "startsAt" in body["errors"][0]["message"] and "offset" in body["errors"][0]["message"]


async def test_a_window_already_over_or_upside_down_is_refused(api, marketing_token, clock):
    w = Window()
    clock.set(w.after)
    out = await api.as_(marketing_token).data(CREATE, input=campaign_input(w))
    assert [(e["code"], e["field"]) for e in out["campaignCreate"]["userErrors"]] == [
        ("INVALID_CAMPAIGN", "endsAt")
    ]
    clock.set(w.before)
    flipped = campaign_input(w, startsAt=w.end, endsAt=w.start)
    out = await api.as_(marketing_token).data(CREATE, input=flipped)
    assert out["campaignCreate"]["userErrors"][0]["field"] == "endsAt"


async def test_conflicts_come_back_as_warnings(api, marketing_token, clock):
    w = Window()
    clock.set(w.before)
    plan = {"planIds": ["4G-196"]}
    first = await create(api, marketing_token, w, targets=plan, stacking="EXCLUSIVE", priority=5)
    out = await api.as_(marketing_token).data(
        CREATE, input=campaign_input(w, targets=plan, stacking="EXCLUSIVE")
    )
    (warning,) = out["campaignCreate"]["warnings"]
    assert warning.startswith("EXCLUSIVE_OVERLAP:") and first["id"] in warning
    floor = await api.as_(marketing_token).data(
        CREATE,
        input=campaign_input(
            w,
            targets={"planIds": ["4G-296"]},
            benefit={"kind": "FIXED_PRICE", "fixedPriceFen": 1000},
            floorFen=5000,
        ),
    )
    assert [x.split(":")[0] for x in floor["campaignCreate"]["warnings"]] == ["BELOW_FLOOR"]
    percent = await api.as_(marketing_token).data(
        CREATE,
        input=campaign_input(
            w, targets={"planIds": ["4G-396"]}, benefit={"kind": "PERCENT_OFF", "percentBp": 9000},
            floorFen=5000,
        ),
    )  # fmt: skip
    assert percent["campaignCreate"]["warnings"][0].startswith("BELOW_FLOOR: 4G全国套餐 396元")
    fest = (
        await api.as_(marketing_token).data(
            FESTIVAL, input={"name": "短节", "startsAt": w.start, "endsAt": w.during.isoformat()}
        )
    )["festivalCreate"]["festival"]
    outside = await api.as_(marketing_token).data(
        CREATE, input=campaign_input(w, festivalId=fest["id"], targets={"planIds": ["4G-596"]})
    )
    assert [x.split(":")[0] for x in outside["campaignCreate"]["warnings"]] == ["OUTSIDE_FESTIVAL"]


async def test_publishing_with_a_start_in_the_past_starts_now(api, marketing_token, clock):
    w = Window()
    clock.set(w.during)
    out = await api.as_(marketing_token).data(CREATE, input=campaign_input(w))
    payload = out["campaignCreate"]
    assert [x.split(":")[0] for x in payload["warnings"]] == ["STARTS_NOW"]
    assert payload["campaign"]["status"] == "ACTIVE"
    assert datetime.fromisoformat(payload["campaign"]["startsAt"]) == w.during


async def test_update_only_while_draft_or_scheduled_and_guarded_by_version(
    api, marketing_token, clock
):
    w = Window()
    clock.set(w.before)
    me = api.as_(marketing_token)
    draft = await create(api, marketing_token, w, draft=True)
    assert draft["status"] == "DRAFT"
    renamed = (
        await me.data(
            UPDATE,
            input={"id": draft["id"], "version": 1, "name": "改名", "caps": {"unitsTotal": 9}},
        )
    )["campaignUpdate"]
    assert renamed["userErrors"] == []
    c = renamed["campaign"]
    assert (c["name"], c["version"], c["caps"]["unitsTotal"], c["status"]) == (
        "改名", 2, 9, "DRAFT",
    )  # fmt: skip
    stale = (await me.data(UPDATE, input={"id": draft["id"], "version": 1, "name": "x"}))[
        "campaignUpdate"
    ]
    assert [(e["code"], e["field"]) for e in stale["userErrors"]] == [
        ("VERSION_CONFLICT", "version")
    ]
    published = (await me.data(UPDATE, input={"id": draft["id"], "draft": False}))["campaignUpdate"]
    assert published["campaign"]["status"] == "SCHEDULED"
    assert published["campaign"]["version"] == 3 and published["campaign"]["name"] == "改名"
    bad = (
        await me.data(
            UPDATE, input={"id": draft["id"], "benefit": {"kind": "AMOUNT_OFF", "amountFen": 0}}
        )
    )["campaignUpdate"]
    assert [(e["code"], e["field"]) for e in bad["userErrors"]] == [
        ("INVALID_CAMPAIGN", "benefit.amountFen")
    ]
    clock.set(w.during)
    running = (await me.data(UPDATE, input={"id": draft["id"], "name": "进行中改名"}))[
        "campaignUpdate"
    ]
    assert codes(running) == ["CAMPAIGN_NOT_EDITABLE"] and running["campaign"] is None
    missing = (await me.data(UPDATE, input={"id": "cmp-none", "name": "x"}))["campaignUpdate"]
    assert [(e["code"], e["field"]) for e in missing["userErrors"]] == [("NOT_FOUND", "id")]


async def test_pause_resume_and_end_with_quotes_that_follow(
    api, subscriber, marketing_token, clock
):
    w = Window()
    clock.set(w.during)
    me = api.as_(marketing_token)
    c = await create(api, marketing_token, w, startsAt=w.during.isoformat())
    quote = 'query { quotePackPurchase(packId: "ADD-7D-1G") { finalPriceFen rejected { campaignId reason } } }'
    buyer = api.as_(subscriber.token)
    assert (await buyer.data(quote))["quotePackPurchase"]["finalPriceFen"] == 500
    paused = (await me.data(PAUSE, id=c["id"]))["campaignPause"]["campaign"]
    assert paused["status"] == "PAUSED"
    q = (await buyer.data(quote))["quotePackPurchase"]
    assert q["finalPriceFen"] == 1000 and q["rejected"] == [
        {"campaignId": c["id"], "reason": "PAUSED"}
    ]
    assert codes((await me.data(PAUSE, id=c["id"]))["campaignPause"]) == ["INVALID_TRANSITION"]
    resumed = (await me.data(RESUME, id=c["id"]))["campaignResume"]["campaign"]
    assert resumed["status"] == "ACTIVE"
    assert (await buyer.data(quote))["quotePackPurchase"]["finalPriceFen"] == 500
    clock.set(w.during + timedelta(hours=2))
    ended = (await me.data(END, id=c["id"]))["campaignEnd"]["campaign"]
    assert ended["status"] == "ENDED" and ended["version"] == 4
    assert datetime.fromisoformat(ended["endsAt"]) == w.during + timedelta(hours=2)
    assert ended["endedEarlyAt"] == ended["endsAt"]
    assert datetime.fromisoformat(ended["startsAt"]) == w.during  # the window it ran stays
    assert (await buyer.data(quote))["quotePackPurchase"]["finalPriceFen"] == 1000
    again = (await me.data(END, id=c["id"]))["campaignEnd"]
    assert codes(again) == ["INVALID_TRANSITION"]
    assert codes((await me.data(RESUME, id=c["id"]))["campaignResume"]) == ["INVALID_TRANSITION"]


async def test_ending_a_campaign_that_has_not_started_means_it_never_runs(
    api, marketing_token, clock
):
    w = Window()
    clock.set(w.before)
    c = await create(api, marketing_token, w)
    ended = (await api.as_(marketing_token).data(END, id=c["id"]))["campaignEnd"]["campaign"]
    assert ended["status"] == "ENDED"
    assert datetime.fromisoformat(ended["endsAt"]) == w.before
    clock.set(w.during)
    preview = await api.as_(marketing_token).data(
        PREVIEW, input={"at": w.during.isoformat(), "packId": "ADD-7D-1G"}
    )
    assert preview["promotionPreview"]["finalPriceFen"] == 1000
    draft = await create(api, marketing_token, w, draft=True)
    assert codes((await api.as_(marketing_token).data(END, id=draft["id"]))["campaignEnd"]) == [
        "INVALID_TRANSITION"
    ]


async def test_every_change_is_in_the_audit_log(api, marketing_token, clock):
    w = Window()
    clock.set(w.before)
    me = api.as_(marketing_token)
    c = await create(api, marketing_token, w, name="审计")
    await me.data(UPDATE, input={"id": c["id"], "name": "审计2"})
    await me.data(PAUSE, id=c["id"])
    await me.data(RESUME, id=c["id"])
    await me.data(END, id=c["id"])
    log = (await me.data(AUDIT, campaignId=c["id"]))["promotionAudit"]["nodes"]
    assert [e["action"] for e in log] == [
        "CAMPAIGN_END", "CAMPAIGN_RESUME", "CAMPAIGN_PAUSE", "CAMPAIGN_UPDATE", "CAMPAIGN_CREATE",
    ]  # fmt: skip
    assert {e["actor"] for e in log} == {"marketing"}
    create_entry, update_entry = log[-1], log[-2]
    assert create_entry["before"] is None and create_entry["after"]["name"] == "审计"
    assert update_entry["before"]["name"] == "审计" and update_entry["after"]["name"] == "审计2"
    assert log[2]["after"]["paused"] is True and log[2]["before"]["paused"] is False
    assert datetime.fromisoformat(log[0]["at"]) == w.before
    field = "query($id: ID!) { campaign(id: $id) { audit(first: 2) { nodes { action } pageInfo { hasNextPage } } } }"
    page = (await me.data(field, id=c["id"]))["campaign"]["audit"]
    assert [n["action"] for n in page["nodes"]] == ["CAMPAIGN_END", "CAMPAIGN_RESUME"]
    assert page["pageInfo"]["hasNextPage"] is True


async def test_preview_is_the_customer_quote_as_a_dry_run(api, marketing_token, clock):
    w = Window()
    clock.set(w.before)
    me = api.as_(marketing_token)
    half = await create(
        api, marketing_token, w,
        targets={"planIds": ["4G-196"]}, channels=["APP"],
        audience={"existingSubscriber": True, "minTenureMonths": 12},
        benefit={"kind": "RECURRING", "percentBp": 5000, "months": 3},
        caps={"unitsTotal": 100000, "perSubscriber": 1},
    )  # fmt: skip
    draft = await create(
        api, marketing_token, w, draft=True, targets={"planIds": ["4G-196"]},
        benefit={"kind": "GIFT", "giftItem": "蓝牙耳机"},
    )  # fmt: skip
    base = {"at": w.during.isoformat(), "channel": "APP", "planId": "4G-196"}
    q = (await me.data(PREVIEW, input={**base, "profile": {"tenureMonths": 24}}))[
        "promotionPreview"
    ]
    assert q["userErrors"] == []
    assert (q["listPriceFen"], q["finalPriceFen"]) == (19600, 9800)
    assert q["lines"][0]["adjustments"] == [
        {"campaignId": half["id"], "name": "测试活动", "amountFen": 9800}
    ]
    assert [m["priceFen"] for m in q["schedule"]][:4] == [9800, 9800, 9800, 19600]
    assert q["schedule"][0]["month"] == f"{w.first.year}-04"  # plan changes start on the 1st
    assert q["rejected"] == [] and q["gifts"] == []  # drafts never reach customers
    with_draft = (await me.data(PREVIEW, input={**base, "includeDrafts": True}))["promotionPreview"]
    assert with_draft["gifts"] == [{"campaignId": draft["id"], "item": "蓝牙耳机"}]
    assert with_draft["rejected"] == [{"campaignId": half["id"], "reason": "AUDIENCE"}]
    web = (await me.data(PREVIEW, input={**base, "channel": "WEB"}))["promotionPreview"]
    assert web["rejected"][0] == {"campaignId": half["id"], "reason": "CHANNEL"}
    early = (await me.data(PREVIEW, input={**base, "at": w.before.isoformat()}))["promotionPreview"]
    assert {r["reason"] for r in early["rejected"]} == {"OUTSIDE_WINDOW"}
    two = (await me.data(PREVIEW, input={**base, "packId": "ADD-7D-1G"}))["promotionPreview"]
    assert [(e["code"], e["field"]) for e in two["userErrors"]] == [("INVALID_ARGUMENT", "input")]
    unknown = (await me.data(PREVIEW, input={**base, "planId": "NOPE"}))["promotionPreview"]
    assert [(e["code"], e["field"]) for e in unknown["userErrors"]] == [("UNKNOWN_PLAN", "planId")]


@pytest.mark.calendar
async def test_preview_explains_campaigns_that_will_be_over_at_the_instant(
    api, marketing_token, clock
):
    w = Window(days=5)
    clock.set(w.during)  # day 2 of a 5-day campaign: it ends in about 3.5 days
    me = api.as_(marketing_token)
    c = await create(api, marketing_token, w, targets={"packIds": ["ADD-7D-1G"]})
    base = {"channel": "APP", "packId": "ADD-7D-1G"}
    later = await me.data(
        PREVIEW, input={**base, "at": (w.ends_at + timedelta(days=1)).isoformat()}
    )
    assert later["promotionPreview"]["rejected"] == [
        {"campaignId": c["id"], "reason": "OUTSIDE_WINDOW"}
    ]
    now = (await me.data(PREVIEW, input={**base, "at": w.during.isoformat()}))["promotionPreview"]
    assert now["lines"][0]["adjustments"][0]["campaignId"] == c["id"]
    for years in (-6, 6):
        far = (w.during + timedelta(days=366 * years)).isoformat()
        out = (await me.data(PREVIEW, input={**base, "at": far}))["promotionPreview"]
        assert [(e["code"], e["field"]) for e in out["userErrors"]] == [("INVALID_INSTANT", "at")]


async def test_preview_prices_recharges_and_bundles(api, marketing_token, clock):
    w = Window()
    clock.set(w.before)
    me = api.as_(marketing_token)
    app = await create(
        api, marketing_token, w, targets={"kinds": ["RECHARGE"]}, channels=["APP"],
        benefit={"kind": "PERCENT_OFF", "percentBp": 1000},
    )  # fmt: skip
    base = {"at": w.during.isoformat(), "rechargeAmountFen": 10000}
    q = (await me.data(PREVIEW, input={**base, "channel": "APP"}))["promotionPreview"]
    assert (q["listPriceFen"], q["finalPriceFen"]) == (10000, 9000)
    assert [m["priceFen"] for m in q["schedule"]][:2] == [9000, 0]
    q = (await me.data(PREVIEW, input={**base, "channel": "WEB"}))["promotionPreview"]
    assert q["finalPriceFen"] == 10000 and q["rejected"][0]["campaignId"] == app["id"]
    bad = (await me.data(PREVIEW, input={**base, "rechargeAmountFen": 0}))["promotionPreview"]
    assert [(e["code"], e["field"]) for e in bad["userErrors"]] == [
        ("INVALID_AMOUNT", "rechargeAmountFen")
    ]
    await create(
        api, marketing_token, w, targets={"packIds": ["VOICE-200"]},
        benefit={"kind": "AMOUNT_OFF", "amountFen": 700},
    )  # fmt: skip
    combo = {"dataPackId": "DATA-1G", "voicePackId": "VOICE-200"}
    q = (await me.data(PREVIEW, input={"at": w.during.isoformat(), "bundle": combo}))[
        "promotionPreview"
    ]
    assert (q["listPriceFen"], q["finalPriceFen"]) == (4800 + 3200, 4800 + 3200 - 700)


@pytest.mark.calendar
async def test_seeded_517_festival_previews_as_advertised(api, marketing_token):
    me = api.as_(marketing_token)
    ids = seeded(festival_517)
    y = festival_517(SEEDED_AT)[0].starts_at.astimezone(SHANGHAI).year
    at = f"{y}-05-16T10:00:00+08:00"
    q = (
        await me.data(
            PREVIEW,
            input={
                "at": at,
                "channel": "APP",
                "profile": {"tenureMonths": 24},
                "planId": "ICE-398",
            },
        )
    )["promotionPreview"]
    assert (q["listPriceFen"], q["finalPriceFen"]) == (39800, 19900)
    assert q["lines"][0]["adjustments"][0]["campaignId"] == ids["ICE-HALF"]
    assert q["gifts"] == [{"campaignId": ids["ICE-CLOUD"], "item": "和彩云网盘1年会员"}]
    months = {m["month"]: m["priceFen"] for m in q["schedule"]}
    assert months[f"{y}-06"] == months[f"{y}-11"] == 19900 and months[f"{y}-12"] == 39800
    recharge = (
        await me.data(PREVIEW, input={"at": at, "channel": "APP", "rechargeAmountFen": 5000})
    )["promotionPreview"]
    assert recharge["finalPriceFen"] == 4500
    video = {"at": at, "packId": "ADD-DIR-MIGU"}
    free = (await me.data(PREVIEW, input=video))["promotionPreview"]
    assert free["finalPriceFen"] == 0
    new = (await me.data(PREVIEW, input={**video, "profile": {"newSubscriber": True}}))[
        "promotionPreview"
    ]
    assert new["finalPriceFen"] == 1500
    assert new["rejected"] == [{"campaignId": ids["VIDEO-TRIAL"], "reason": "AUDIENCE"}]


@pytest.mark.calendar
async def test_seeded_season_offers_are_live(api, subscriber, clock):
    festival, _ = season_festival(SEEDED_AT)
    clock.set(festival.starts_at + timedelta(hours=12))  # a season's first day: no 517, no 双11
    ids = seeded(season_festival)
    body = await api.data(PUBLIC_LIST, first=100)
    names = {n["id"]: n for n in body["campaigns"]["nodes"]}
    assert {ids["DATA-6G"], ids["HY-12G"], ids["5G-POINTS"]} <= set(names)
    assert seeded(festival_517)["ICE-HALF"] not in names
    assert seeded(festival_1111)["HY-12G"] not in names
    assert names[ids["DATA-6G"]]["benefit"]["summary"] == "月费5折，连续3个月"
    quote = """query { quoteBundle(input: {dataPackId: "DATA-6G", voicePackId: "VOICE-300"}) {
      finalPriceFen lines { offeringId adjustments { campaignId amountFen } } schedule { priceFen } } }"""
    q = (await api.as_(subscriber.token).data(quote))["quoteBundle"]
    assert q["finalPriceFen"] == 15200 // 2 + 4000
    assert [m["priceFen"] for m in q["schedule"]][:4] == [11600, 11600, 11600, 19200]


def test_the_graphiql_examples_are_valid_operations():
    from pathlib import Path

    from graphql import parse, validate

    from schema.root import build_schema

    schema = build_schema(include_dev=True)
    examples = (Path(__file__).parents[2] / "server" / "examples.graphql").read_text("utf-8")
    assert validate(schema._schema, parse(examples)) == []
