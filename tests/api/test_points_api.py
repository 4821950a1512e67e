"""me.points, the mall, pointsRedeem / redemptionCancel / fulfilment, operator adjustments and
expiry, marketing's item management, and who may do what."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from db.models.points import MallAudit, MallCode, MallItem, PointsEntry
from db.repositories import points as points_repo
from domain.points.ledger import lot_expires_at
from tests.api.order_helpers import BALANCE, OUTBOX, new_key
from tests.conftest import subscribe

POINTS = """query($first: Int, $after: String) { me { points { balance pendingFen
  expiring { amount expiresAt }
  transactions(first: $first, after: $after) {
    nodes { kind amount at note source balanceAfter } pageInfo { hasNextPage endCursor } } } } }"""
REDEEM = """mutation($input: PointsRedeemInput!) { pointsRedeem(input: $input) {
  redemption { id status pointsSpent cashFen quantity code trackingNumber
               item { id name kind pointsPrice } }
  userErrors { code field message } } }"""
CANCEL = """mutation($id: ID!) { redemptionCancel(id: $id) {
  redemption { id status } userErrors { code field message } } }"""
SHIP = """mutation($id: ID!, $t: String!) { redemptionShip(id: $id, trackingNumber: $t) {
  redemption { id status trackingNumber } userErrors { code field message } } }"""
DELIVER = """mutation($id: ID!) { redemptionDeliver(id: $id) {
  redemption { id status } userErrors { code field message } } }"""
REDEMPTIONS = """{ me { redemptions(first: 10) { nodes { id status item { id } } } } }"""
ITEMS = """query($c: MallCategory) { mallItems(category: $c, first: 50) {
  nodes { id name category kind pointsPrice cashPriceFen stock perSubscriberLimit imageUrl
          description availableFrom availableUntil } pageInfo { hasNextPage } } }"""
ITEM = """query($id: ID!) { mallItem(id: $id) { id name kind stock archived version } }"""
ADJUST = """mutation($input: PointsAdjustInput!) { pointsAdjust(input: $input) {
  transaction { kind amount note balanceAfter } userErrors { code field message } } }"""
EXPIRE = """mutation($at: DateTime) { pointsExpire(at: $at) {
  run { lotsExpired pointsExpired } userErrors { code field message } } }"""
CREATE = """mutation($input: MallItemCreateInput!) { mallItemCreate(input: $input) {
  item { id name kind stock pointsPrice version imageUrl } userErrors { code field message } } }"""
UPDATE = """mutation($input: MallItemUpdateInput!) { mallItemUpdate(input: $input) {
  item { id name stock pointsPrice version } userErrors { code field message } } }"""
ARCHIVE = """mutation($id: ID!) { mallItemArchive(id: $id) { item { id archived }
  userErrors { code } } }"""
UPLOAD = """mutation($id: ID!, $codes: [String!]!) { mallCodesUpload(itemId: $id, codes: $codes) {
  item { stock } added userErrors { code field } } }"""
ADDRESS = {"name": "张三", "phone": "18600000001", "address": "北京市西城区金融大街21号"}


async def give(sub, points: int, at) -> None:
    async with in_transaction() as conn:
        await points_repo.earn(conn, sub.id, f"TEST:{sub.id}:{new_key()}", points, at)


async def goods_item(services, stock: int = 100, points: int = 100, limit: int | None = None):
    item = await MallItem.create(
        id=f"t-{new_key()}"[:40],
        name="测试商品",
        category="DIGITAL",
        kind="GOODS",
        points_price=points,
        stock=stock,
        per_subscriber_limit=limit,
    )
    return item


def redeem_input(item_id: str, **extra) -> dict:
    return {"itemId": item_id, "quantity": 1, "idempotencyKey": new_key(), **extra}


async def test_points_show_balance_expiry_and_transactions(api, services, clock):
    sub = await subscribe(services)
    now = clock.now()
    await give(sub, 120, now)
    await give(sub, 30, now)
    me = api.as_(sub.limited_token)  # LIMITED sessions may read points
    points = (await me.data(POINTS, first=1))["me"]["points"]
    assert points["balance"] == 150
    ((expiring),) = points["expiring"]
    assert expiring["amount"] == 150
    assert datetime.fromisoformat(expiring["expiresAt"]) == lot_expires_at(now)
    page = points["transactions"]
    assert len(page["nodes"]) == 1 and page["pageInfo"]["hasNextPage"]
    assert page["nodes"][0]["kind"] == "EARN" and page["nodes"][0]["source"].startswith("TEST:")
    rest = (await me.data(POINTS, first=10, after=page["pageInfo"]["endCursor"]))["me"]
    assert len(rest["points"]["transactions"]["nodes"]) == 1
    assert points["pendingFen"] >= 0


async def test_redeem_goods_ship_deliver_and_the_errors(api, services, operator_token, clock):
    sub = await subscribe(services)
    await give(sub, 250, clock.now())
    item = await goods_item(services, stock=100, points=100, limit=2)
    me = api.as_(sub.token)
    missing = (await me.data(REDEEM, input=redeem_input(item.id)))["pointsRedeem"]
    assert missing["userErrors"][0]["code"] == "ADDRESS_REQUIRED"
    key = new_key()
    args = {"itemId": item.id, "quantity": 1, "idempotencyKey": key, "shippingAddress": ADDRESS}
    first = (await me.data(REDEEM, input=args))["pointsRedeem"]
    again = (await me.data(REDEEM, input=args))["pointsRedeem"]
    assert first["userErrors"] == [] and again["redemption"]["id"] == first["redemption"]["id"]
    assert first["redemption"]["status"] == "ORDERED"
    assert first["redemption"]["item"]["id"] == item.id
    more = await me.data(REDEEM, input=redeem_input(item.id, shippingAddress=ADDRESS, quantity=2))
    assert more["pointsRedeem"]["userErrors"][0]["code"] == "LIMIT_REACHED"
    second = await me.data(REDEEM, input=redeem_input(item.id, shippingAddress=ADDRESS))
    assert second["pointsRedeem"]["userErrors"] == []
    other = await goods_item(services, points=100)
    short = await me.data(REDEEM, input=redeem_input(other.id, shippingAddress=ADDRESS))
    assert short["pointsRedeem"]["userErrors"][0]["code"] == "INSUFFICIENT_POINTS"
    assert (await me.data(POINTS))["me"]["points"]["balance"] == 50

    rid = first["redemption"]["id"]
    staff = api.as_(operator_token)
    bad = (await staff.data(DELIVER, id=rid))["redemptionDeliver"]
    assert bad["userErrors"][0]["code"] == "INVALID_TRANSITION"
    shipped = (await staff.data(SHIP, id=rid, t="SF1234567890"))["redemptionShip"]
    assert shipped["redemption"] == {
        "id": rid,
        "status": "SHIPPED",
        "trackingNumber": "SF1234567890",
    }
    late = (await me.data(CANCEL, id=rid))["redemptionCancel"]
    assert late["userErrors"][0]["code"] == "NOT_CANCELLABLE"
    done = (await staff.data(DELIVER, id=rid))["redemptionDeliver"]
    assert done["redemption"]["status"] == "DELIVERED"
    kinds = [n["kind"] for n in (await me.data(OUTBOX, m=sub.msisdn))["dev"]["outbox"]]
    assert "POINTS_REDEEMED" in kinds and "POINTS_GOODS_SHIPPED" in kinds
    listed = (await me.data(REDEMPTIONS))["me"]["redemptions"]["nodes"]
    assert len(listed) == 2


async def test_cancel_refunds_points_and_stock_once(api, services, clock):
    sub = await subscribe(services)
    await give(sub, 100, clock.now())
    item = await goods_item(services, stock=1, points=100)
    me = api.as_(sub.token)
    made = await me.data(REDEEM, input=redeem_input(item.id, shippingAddress=ADDRESS))
    rid = made["pointsRedeem"]["redemption"]["id"]
    gone = await me.data(REDEEM, input=redeem_input(item.id, shippingAddress=ADDRESS))
    assert gone["pointsRedeem"]["userErrors"][0]["code"] == "OUT_OF_STOCK"
    results = await asyncio.gather(*(me.data(CANCEL, id=rid) for _ in range(3)))
    assert all(r["redemptionCancel"]["redemption"]["status"] == "CANCELLED" for r in results)
    assert (await me.data(POINTS))["me"]["points"]["balance"] == 100
    assert (await MallItem.get(id=item.id)).stock == 1
    assert await PointsEntry.filter(subscriber_id=sub.id, kind="REFUND").count() == 1
    stranger = await subscribe(services)
    other = (await api.as_(stranger.token).data(CANCEL, id=rid))["redemptionCancel"]
    assert other["userErrors"][0]["code"] == "NOT_FOUND"


async def test_codes_data_and_bill_credit_are_delivered_at_once(api, services, clock):
    sub = await subscribe(services, balance_fen=1000)
    await give(sub, 10_000, clock.now())
    me = api.as_(sub.token)
    video = (await me.data(REDEEM, input=redeem_input("MALL-TENCENT-M")))["pointsRedeem"]
    code = video["redemption"]["code"]
    assert video["redemption"]["status"] == "COMPLETED" and code
    assert await MallCode.filter(code=code).count() == 1
    data = (await me.data(REDEEM, input=redeem_input("MALL-DATA-1G")))["pointsRedeem"]
    assert data["redemption"]["status"] == "COMPLETED"
    allowances = await me.data("{ me { allowances { source sourceName total } } }")
    assert any(a["sourceName"] == "7天流量包 1GB" for a in allowances["me"]["allowances"])
    credit = (await me.data(REDEEM, input=redeem_input("MALL-BILL-10")))["pointsRedeem"]
    assert credit["redemption"]["status"] == "COMPLETED"
    assert (await me.data(BALANCE))["me"]["balance"]["amountFen"] == 2000
    not_cancellable = (await me.data(CANCEL, id=video["redemption"]["id"]))["redemptionCancel"]
    assert not_cancellable["userErrors"][0]["code"] == "NOT_CANCELLABLE"


async def test_limited_and_staff_may_not_redeem_and_customers_may_not_manage(
    api, services, marketing_token, operator_token
):
    sub = await subscribe(services)
    limited = await api.as_(sub.limited_token)(REDEEM, input=redeem_input("MALL-BILL-10"))
    assert limited["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    staff = await api.as_(operator_token)(REDEEM, input=redeem_input("MALL-BILL-10"))
    assert staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api(REDEEM, input=redeem_input("MALL-BILL-10"))
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    limited_list = await api.as_(sub.limited_token)(REDEMPTIONS)
    assert limited_list["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for token in (sub.token, operator_token):
        create = await api.as_(token)(
            CREATE, input={"name": "x", "category": "HOME", "kind": "GOODS", "pointsPrice": 1}
        )
        assert create["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for token in (sub.token, marketing_token):
        adjust = await api.as_(token)(
            ADJUST,
            input={"msisdn": sub.msisdn, "points": 5, "reason": "补偿", "idempotencyKey": "a"},
        )
        assert adjust["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        expire = await api.as_(token)(EXPIRE)
        assert expire["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        ship = await api.as_(token)(SHIP, id="00000000-0000-0000-0000-000000000000", t="SF1")
        assert ship["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_operator_adjusts_with_a_reason_once_and_expires_idempotently(
    api, services, operator_token, clock
):
    sub = await subscribe(services)
    staff = api.as_(operator_token)
    args = {
        "msisdn": sub.msisdn,
        "points": 300,
        "reason": "网络故障补偿",
        "idempotencyKey": new_key(),
    }
    first = (await staff.data(ADJUST, input=args))["pointsAdjust"]
    again = (await staff.data(ADJUST, input=args))["pointsAdjust"]
    assert first["transaction"] == {
        "kind": "ADJUST",
        "amount": 300,
        "note": "网络故障补偿",
        "balanceAfter": 300,
    }
    assert again["transaction"] == first["transaction"]
    no_reason = await staff.data(ADJUST, input={**args, "reason": " ", "idempotencyKey": "z"})
    assert no_reason["pointsAdjust"]["userErrors"][0]["code"] == "REASON_REQUIRED"
    too_much = {**args, "points": -301, "idempotencyKey": new_key()}
    assert (await staff.data(ADJUST, input=too_much))["pointsAdjust"]["userErrors"][0][
        "code"
    ] == "INSUFFICIENT_POINTS"
    assert await PointsEntry.filter(subscriber_id=sub.id).count() == 1

    expiry = lot_expires_at(clock.now())
    clock.set(expiry + timedelta(minutes=5))
    run = (await staff.data(EXPIRE, at=expiry.isoformat()))["pointsExpire"]
    assert run["run"]["pointsExpired"] >= 300
    assert (await staff.data(EXPIRE, at=expiry.isoformat()))["pointsExpire"]["run"] == {
        "lotsExpired": 0,
        "pointsExpired": 0,
    }
    assert (await api.as_(sub.token).data(POINTS))["me"]["points"]["balance"] == 0


async def test_marketing_creates_updates_uploads_and_archives(api, services, marketing_token):
    staff = api.as_(marketing_token)
    made = (
        await staff.data(
            CREATE,
            input={
                "name": "优酷VIP月卡",
                "category": "VIDEO",
                "kind": "VIDEO_MEMBERSHIP",
                "pointsPrice": 900,
                "stock": 99,
                "perSubscriberLimit": 1,
            },
        )
    )["mallItemCreate"]
    item = made["item"]
    assert made["userErrors"] == [] and item["stock"] == 0 and item["imageUrl"].endswith(".svg")
    codes = [f"YK-{new_key()}" for _ in range(3)]
    up = (await staff.data(UPLOAD, id=item["id"], codes=codes + codes[:1]))["mallCodesUpload"]
    assert up == {"item": {"stock": 3}, "added": 3, "userErrors": []}
    changed = (
        await staff.data(
            UPDATE, input={"id": item["id"], "version": item["version"] + 1, "pointsPrice": 800}
        )
    )["mallItemUpdate"]
    assert changed["item"]["pointsPrice"] == 800
    stale = await staff.data(UPDATE, input={"id": item["id"], "version": 1, "name": "x"})
    assert stale["mallItemUpdate"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
    invalid = await staff.data(UPDATE, input={"id": item["id"], "pointsPrice": -1})
    assert invalid["mallItemUpdate"]["userErrors"][0]["code"] == "INVALID_ITEM"
    listed = (await api.data(ITEMS, c="VIDEO"))["mallItems"]["nodes"]
    assert item["id"] in {n["id"] for n in listed}
    archived = (await staff.data(ARCHIVE, id=item["id"]))["mallItemArchive"]["item"]
    assert archived["archived"] is True
    assert (await api.data(ITEM, id=item["id"]))["mallItem"] is None
    actions = await MallAudit.filter(item_id=item["id"]).values_list("action", flat=True)
    assert actions == ["CREATED", "CODES_ADDED", "UPDATED", "ARCHIVED"]


async def test_the_seeded_catalogue_is_browsable_with_images(api, services):
    nodes = (await api.data(ITEMS, c=None))["mallItems"]["nodes"]
    ids = {n["id"] for n in nodes}
    assert {"MALL-SPEAKER", "MALL-IQIYI-Q", "MALL-DATA-1G", "MALL-BILL-10"} <= ids
    speaker = next(n for n in nodes if n["id"] == "MALL-SPEAKER")
    assert speaker["pointsPrice"] == 3500 and speaker["kind"] == "GOODS"
    image = await api.client.get(speaker["imageUrl"])
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/svg")
    assert (await api.client.get("/static/mall/nope.svg")).status_code == 404


async def test_100_parallel_redemptions_on_points_for_10(api, services, postgres_only, clock):
    sub = await subscribe(services)
    await give(sub, 1000, clock.now())
    item = await goods_item(services, stock=1000, points=100)
    me = api.as_(sub.token)
    results = await asyncio.gather(
        *(me.data(REDEEM, input=redeem_input(item.id, shippingAddress=ADDRESS)) for _ in range(100))
    )
    ok = [r for r in results if r["pointsRedeem"]["redemption"]]
    assert len(ok) == 10
    codes = {e["code"] for r in results for e in r["pointsRedeem"]["userErrors"]}
    assert codes == {"INSUFFICIENT_POINTS"}
    account = await points_repo.account_of(sub.id)
    assert account.balance == 0
    assert (await MallItem.get(id=item.id)).stock == 990


async def test_100_parallel_redemptions_of_stock_5(api, services, postgres_only, clock):
    item = await goods_item(services, stock=5, points=10)
    subs = [await subscribe(services) for _ in range(100)]
    for sub in subs:
        await give(sub, 10, clock.now())
    results = await asyncio.gather(
        *(
            api.as_(sub.token).data(REDEEM, input=redeem_input(item.id, shippingAddress=ADDRESS))
            for sub in subs
        )
    )
    ok = [r for r in results if r["pointsRedeem"]["redemption"]]
    assert len(ok) == 5
    assert (await MallItem.get(id=item.id)).stock == 0
