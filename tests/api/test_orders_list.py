"""me.orders: the business-order records (业务办理记录) as a Relay connection, newest first."""

import base64

import pytest

from tests.api.order_helpers import (
    BUNDLE_ORDER,
    ORDERS,
    PACK_PURCHASE,
    PLAN_CHANGE,
    new_key,
    open_roaming,
)
from tests.conftest import subscribe


async def _five_orders(api, services):
    sub = await subscribe(services, balance_fen=100_000)
    me = api.as_(sub.token)
    await open_roaming(sub.id)
    ids = []
    for i in range(3):
        out = await me.data(
            PACK_PURCHASE, pack=["ADD-7D-1G", "ADD-ME-1G", "ROAM-HMT-1D"][i], key=new_key()
        )
        ids.append(out["packPurchase"]["order"]["id"])
    out = await me.data(PLAN_CHANGE, plan="4G-196", key=new_key())
    ids.append(out["planChange"]["order"]["id"])
    out = await me.data(BUNDLE_ORDER, input={"dataPackId": "DATA-2G"}, key=new_key())
    ids.append(out["bundleOrder"]["order"]["id"])
    return sub, me, ids


async def test_pages_follow_cursors_newest_first(api, services):
    _sub, me, ids = await _five_orders(api, services)
    seen, after, pages = [], None, 0
    while True:
        conn = (await me.data(ORDERS, first=2, after=after))["me"]["orders"]
        pages += 1
        seen += [edge["node"]["id"] for edge in conn["edges"]]
        assert [n["id"] for n in conn["nodes"]] == [e["node"]["id"] for e in conn["edges"]]
        assert conn["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == list(reversed(ids))


async def test_order_records_carry_kind_status_amounts(api, services):
    _sub, me, _ids = await _five_orders(api, services)
    nodes = [e["node"] for e in (await me.data(ORDERS, first=10))["me"]["orders"]["edges"]]
    assert [(n["kind"], n["status"]) for n in nodes] == [
        ("BUNDLE", "SCHEDULED"),
        ("PLAN_CHANGE", "SUPERSEDED"),
        ("PACK_PURCHASE", "COMPLETED"),
        ("PACK_PURCHASE", "COMPLETED"),
        ("PACK_PURCHASE", "COMPLETED"),
    ]
    assert [n["chargedFen"] for n in nodes] == [0, 0, 2500, 500, 1000]
    assert nodes[0]["listPriceFen"] == 7200 and nodes[1]["finalPriceFen"] == 19600
    assert nodes[2]["summary"] == "订购港澳台 1天流量包"


async def test_first_above_100_is_refused_and_zero_is_empty(api, services):
    _sub, me, _ids = await _five_orders(api, services)
    refused = await me(ORDERS, first=101)  # refused before any work, as GitHub does
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
    full = (await me.data(ORDERS, first=100))["me"]["orders"]
    assert len(full["edges"]) == 5 and not full["pageInfo"]["hasNextPage"]
    empty = (await me.data(ORDERS, first=0))["me"]["orders"]
    assert empty["edges"] == [] and empty["pageInfo"]["endCursor"] is None


@pytest.mark.parametrize(
    ("first", "after"),
    [
        (-1, None),
        (5, "not-a-cursor"),
        (5, base64.urlsafe_b64encode(b'["o",[3]]').decode()),  # an offset cursor from another list
        (5, "x" * 5000),
    ],
)
async def test_bad_paging_arguments_are_graphql_errors(api, subscriber, first, after):
    body = await api.as_(subscriber.token)(ORDERS, first=first, after=after)
    assert body["errors"][0]["extensions"]["code"] in ("INVALID_ARGUMENT", "INVALID_CURSOR")
    assert "Internal" not in body["errors"][0]["message"]


async def test_limited_sessions_may_not_read_orders(api, subscriber):
    body = await api.as_(subscriber.limited_token)(
        "{ me { msisdn orders { edges { node { id } } } recommendations { kind } } }"
    )
    assert body["data"]["me"]["msisdn"] == subscriber.msisdn
    assert body["data"]["me"]["orders"] is None and body["data"]["me"]["recommendations"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}


async def test_others_orders_are_not_visible(api, services):
    _sub, _me, ids = await _five_orders(api, services)
    stranger = await subscribe(services)
    conn = (await api.as_(stranger.token).data(ORDERS, first=100))["me"]["orders"]
    assert conn["edges"] == [] and not set(ids) & {n["id"] for n in conn["nodes"]}
