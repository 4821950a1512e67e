"""The hall on a real 3-master Redis Cluster (redis-py's asyncio RedisCluster): logins of every
kind, a promoted order taking campaign caps, and a flash-sale storm, with the invariants the
single-Redis tests check. Every multi-key script must keep its keys in one slot, or the cluster
answers CROSSSLOT and these fail. Skips with its reason when no redis-server/redis-cli is
installed."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from db.models.flash import FlashUnit
from db.redis import WaitingRedisCluster
from domain.sessions import Scope
from resolvers.context import Services
from server.app import create_app
from server.resources import build_services
from server.settings import Settings
from tests.api.auth_helpers import LOGIN, SEND, last_code, password_login
from tests.api.flash_helpers import buy, create_sale
from tests.api.order_helpers import new_key
from tests.api.promo_helpers import (
    Window,
    create,
    promotions_cleanup,  # noqa: F401 (fixture)
)
from tests.api.test_flash_storm import storm
from tests.api.test_promoted_orders import BUY
from tests.conftest import TEST_PASSWORD, Api, subscribe
from tests.integration.test_doctor import run_doctor
from tests.redis_cluster import LocalCluster, cluster_binaries

UNITS, BUYERS, ATTEMPTS, LIMIT = 30, 60, 300, 2


@pytest.fixture(scope="module")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if cluster_binaries() is None:
        pytest.skip("no redis-server with redis-cli: cannot start a local Redis Cluster")
    cluster = LocalCluster(tmp_path_factory.mktemp("cluster"))
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
async def cluster_services(
    services: Services, settings: Settings, cluster_url: str
) -> AsyncIterator[tuple[Settings, Services]]:
    """The same database as the session (opened by `services`), a Redis Cluster of its own."""
    on_cluster = settings.model_copy(
        update={
            "redis_url": cluster_url,
            "redis_prefix": f"telehall-cluster-{secrets.token_hex(3)}:",
        }
    )
    built = build_services(on_cluster, cluster_url, services.clock)
    assert isinstance(built.stores.redis, WaitingRedisCluster)
    try:
        yield on_cluster, built
    finally:
        await built.stores.redis.aclose()


@pytest.fixture
async def capi(cluster_services) -> AsyncIterator[Api]:
    on_cluster, built = cluster_services
    app = create_app(on_cluster, built)
    transport = httpx.ASGITransport(app=app, client=(f"10.7.{secrets.randbelow(250)}.1", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
        yield Api(client)


async def staff_token(built: Services, username: str) -> str:
    from db.models.accounts import StaffUser

    staff = await StaffUser.get(username=username)
    return (await built.stores.sessions.create(Scope.STAFF, staff.id, username, staff.role)).token


async def test_the_cluster_has_three_masters(cluster_services):
    _, built = cluster_services
    await built.stores.redis.initialize()
    assert len(built.stores.redis.get_primaries()) == 3
    assert (await built.stores.redis.cluster_info())["cluster_state"] == "ok"


async def test_logins_on_the_cluster(capi, cluster_services):
    _, built = cluster_services
    sub = await subscribe(built)
    # password + captcha, then three wrong secrets lock the number (counter and lock in one slot)
    first = await password_login(capi, sub.msisdn, TEST_PASSWORD)
    assert first["userErrors"] == [] and first["session"]["scope"] == "FULL"
    for _ in range(3):
        wrong = await password_login(capi, sub.msisdn, "Wrong#999")
    assert wrong["userErrors"] and wrong["session"] is None
    locked = await password_login(capi, sub.msisdn, TEST_PASSWORD)
    assert [e["code"] for e in locked["userErrors"]] == ["LOCKED"]
    # SMS code: issue (code, cooldown and daily counter in one slot), then verify
    other = await subscribe(built)
    sent = await capi.data(SEND, m=other.msisdn, p="LOGIN")
    assert sent["smsCodeSend"]["userErrors"] == []
    again = await capi.data(SEND, m=other.msisdn, p="LOGIN")
    assert [e["code"] for e in again["smsCodeSend"]["userErrors"]] == ["RESEND_TOO_SOON"]
    code = await last_code(capi, other.msisdn)
    out = (await capi.data(LOGIN, m=other.msisdn, method="SMS_CODE", s=code))["authLogin"]
    assert out["userErrors"] == [] and out["session"]["token"]
    me = await capi.as_(out["session"]["token"]).data("{ me { msisdn } }")
    assert me["me"]["msisdn"] == other.msisdn


@pytest.mark.usefixtures("promotions_cleanup")
async def test_a_promoted_order_takes_its_cap_on_the_cluster(capi, cluster_services, clock):
    _, built = cluster_services
    marketing = await staff_token(built, "marketing")
    w = Window()
    clock.set(w.during)
    c1 = await create(
        capi, marketing, w, startsAt=w.during.isoformat(), caps={"unitsTotal": 1}, priority=20,
        stacking="STACKABLE",
    )  # fmt: skip
    c2 = await create(
        capi, marketing, w, startsAt=w.during.isoformat(), caps={"unitsTotal": 5}, priority=10,
        stacking="STACKABLE", benefit={"kind": "AMOUNT_OFF", "amountFen": 100},
    )  # fmt: skip
    buyers = [await subscribe(built, balance_fen=5_000) for _ in range(2)]
    first = (await capi.as_(buyers[0].token).data(BUY, pack="ADD-7D-1G", key=new_key()))[
        "packPurchase"
    ]
    assert first["userErrors"] == []
    applied = {a["campaignId"] for a in first["order"]["pricing"]["lines"][0]["adjustments"]}
    assert applied == {c1["id"], c2["id"]}  # two campaigns' counters taken in one script
    caps = built.stores.campaign_caps
    assert (await caps.taken(c1["id"]))[0] == 1
    assert (await caps.taken(c2["id"]))[0] == 1
    second = (await capi.as_(buyers[1].token).data(BUY, pack="ADD-7D-1G", key=new_key()))[
        "packPurchase"
    ]
    assert second["userErrors"] == []
    applied = {a["campaignId"] for a in second["order"]["pricing"]["lines"][0]["adjustments"]}
    assert applied == {c2["id"]}  # c1's one unit is gone
    assert (await caps.taken(c1["id"]))[0] == 1
    assert (await caps.taken(c2["id"]))[0] == 2


async def test_a_flash_sale_storm_on_the_cluster(capi, cluster_services, clock):
    _, built = cluster_services
    marketing = await staff_token(built, "marketing")
    sale = await create_sale(
        capi, marketing, clock.now(), unitsTotal=UNITS, perSubscriberLimit=LIMIT,
        payWithinSeconds=120,
    )  # fmt: skip
    buyers = [await subscribe(built, balance_fen=100_000) for _ in range(BUYERS)]
    clock.set(datetime.fromisoformat(sale["startsAt"]) + timedelta(seconds=1))

    answers = await storm(capi, buyers, sale["id"], ATTEMPTS, concurrency=20)

    won = [a for a in answers if a["reservation"]]
    assert sum(a["reservation"]["quantity"] for a in won) == UNITS
    per_buyer: Counter = Counter()
    for a in won:
        per_buyer[a["buyer"]] += a["reservation"]["quantity"]
    assert max(per_buyer.values()) <= LIMIT
    refused = Counter(e["code"] for a in answers for e in a["userErrors"])
    assert set(refused) <= {"SOLD_OUT", "LIMIT_REACHED"}, refused
    assert await built.stores.flash_sales.remaining(sale["id"]) == 0
    assert await FlashUnit.filter(sale_id=sale["id"]).count() == UNITS


async def test_stock_updates_of_two_sales_reach_their_watchers_on_the_cluster(
    capi, cluster_services, clock
):
    """One reader follows the event streams of every watched sale; on a cluster the sales live
    in different slots, which one XREAD may not span."""
    import asyncio

    from resolvers.flash.feed import StockFeed

    _, built = cluster_services
    marketing = await staff_token(built, "marketing")
    sales = [
        await create_sale(capi, marketing, clock.now(), unitsTotal=6, perSubscriberLimit=2)
        for _ in range(2)
    ]
    buyer = await subscribe(built, balance_fen=100_000)
    clock.set(datetime.fromisoformat(sales[0]["startsAt"]) + timedelta(seconds=1))
    feed = StockFeed(built)
    streams = [feed.watch(s["id"]).__aiter__() for s in sales]
    firsts = [await asyncio.wait_for(anext(s), 5) for s in streams]
    assert [f.remaining for f in firsts] == [6, 6]
    for sale in sales:
        assert (await buy(capi, buyer.token, sale["id"], 2))["reservation"]
    updates = [await asyncio.wait_for(anext(s), 5) for s in streams]
    assert [(u.flash_sale_id, u.remaining) for u in updates] == [(s["id"], 4) for s in sales]
    for s in streams:
        await s.aclose()


async def test_persisted_queries_on_the_cluster(capi, cluster_services):
    """Registered through one app, a hit on another (its own process cache is empty); the
    registry's bound drops old entries inside the `{apq}` slot."""
    import hashlib

    on_cluster, built = cluster_services
    query = f"query ClusterPlans{secrets.token_hex(3)} {{ catalog {{ plans {{ id }} }} }}"
    sha = hashlib.sha256(query.encode()).hexdigest()
    apq = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    registered = await capi.client.post("/graphql", json={"query": query, "extensions": apq})
    assert registered.json()["data"]["catalog"]["plans"]
    other = httpx.ASGITransport(app=create_app(on_cluster, built))
    async with httpx.AsyncClient(transport=other, base_url="http://two") as two:
        hit = await two.post("/graphql", json={"extensions": apq})
    assert hit.json()["data"] == registered.json()["data"]
    store = built.stores.persisted_queries
    assert await store.register("f" * 64, "{ __typename }", 600, max_entries=1) >= 1
    assert await store.get(sha) is None and await store.get("f" * 64) == "{ __typename }"


def test_doctor_reads_a_plain_node_url_as_a_cluster_when_told(settings, cluster_url):
    """TELEHALL_REDIS_CLUSTER=true with a redis:// URL of one node: doctor checks the cluster
    (every slot served), as the hall connects to it, not that one node alone."""
    node = cluster_url.replace("redis+cluster://", "redis://", 1)
    done = run_doctor(
        {
            "TELEHALL_DATA_DIR": str(settings.data_dir),
            "TELEHALL_DATABASE_URL": settings.resolved_database_url,
            "TELEHALL_REDIS_URL": node,
            "TELEHALL_REDIS_CLUSTER": "true",
        }
    )
    assert "ok redis.cluster: state ok, 16384 slots served by 3 master(s)" in done.stdout, (
        done.stdout + done.stderr
    )
