"""The hall on Redis behind Sentinel (redis-py's `Sentinel.master_for`): a real master, replica
and sentinel on local ports; login and a flash-sale purchase through the app, then a forced
failover (SENTINEL FAILOVER) after which the same services, never rebuilt, keep the session,
the stock and the sale's counters and go on selling on the promoted master. `telehall doctor`
names the master it was told about."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from db.models.flash import FlashUnit
from db.redis import (
    SentinelMaster,
    SentinelTarget,
    connect_redis,
    parse_sentinel_url,
    sentinel_addresses,
)
from resolvers.context import Services
from server.app import create_app
from server.resources import build_services
from server.settings import Settings, load_settings
from tests.api.auth_helpers import password_login
from tests.api.flash_helpers import buy, create_sale
from tests.api.test_redis_cluster import staff_token
from tests.conftest import TEST_PASSWORD, Api, subscribe
from tests.integration.test_doctor import run_doctor
from tests.redis_sentinel import MASTER_NAME, LocalSentinel


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSentinel]:
    sentinel = LocalSentinel(tmp_path_factory.mktemp("sentinel"))
    try:
        sentinel.start()
        yield sentinel
    finally:
        sentinel.stop()


@pytest.fixture(scope="module")
async def sentinel_services(
    services: Services, settings: Settings, group: LocalSentinel
) -> AsyncIterator[tuple[Settings, Services]]:
    """The session's database, a Redis of its own reached through the sentinel."""
    on_sentinel = settings.model_copy(
        update={
            "redis_url": None,
            "redis_sentinels": group.sentinels,
            "redis_sentinel_master": MASTER_NAME,
            "redis_sentinel_check_seconds": 0.2,
            "redis_prefix": f"telehall-sentinel-{secrets.token_hex(3)}:",
        }
    )
    built = build_services(on_sentinel, on_sentinel.redis_address, services.clock)
    assert isinstance(built.stores.redis, SentinelMaster)
    try:
        yield on_sentinel, built
    finally:
        await built.stores.redis.aclose()


@pytest.fixture
async def sapi(sentinel_services) -> AsyncIterator[Api]:
    on_sentinel, built = sentinel_services
    transport = httpx.ASGITransport(
        app=create_app(on_sentinel, built), client=(f"10.8.{secrets.randbelow(250)}.1", 1234)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
        yield Api(client)


def test_the_settings_spell_a_sentinel_url_and_refuse_mixtures(monkeypatch):
    for name in ("REDIS_URL", "REDIS_CLUSTER", "REDIS_SENTINELS", "REDIS_SENTINEL_MASTER"):
        monkeypatch.delenv(f"TELEHALL_{name}", raising=False)
    spelt = load_settings(redis_sentinels="10.0.0.1:26379, 10.0.0.2", redis_sentinel_master="hall")
    assert spelt.redis_address == "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/hall/0"
    refusals = [
        {"redis_sentinels": "10.0.0.1:26379"},  # no master name
        {"redis_sentinels": "10.0.0.1:26379", "redis_sentinel_master": "hall",
         "redis_url": "redis://10.0.0.9:6379/0"},
        {"redis_sentinels": "10.0.0.1:port", "redis_sentinel_master": "hall"},
    ]  # fmt: skip
    for overrides in refusals:
        with pytest.raises(SystemExit, match="SENTINEL"):
            load_settings(**overrides)
    url = "redis+sentinel://:p%40ss@10.0.0.1:26380,[::1]:26381/hall/2"
    target = parse_sentinel_url(url)
    assert target == SentinelTarget((("10.0.0.1", 26380), ("::1", 26381)), "hall", 2, "p@ss")
    assert parse_sentinel_url(target.url) == target
    for bad in ("redis+sentinel://10.0.0.1:26379", "redis+sentinel://10.0.0.1:x/hall",
                "redis+sentinel://10.0.0.1:26379/hall/zero"):  # fmt: skip
        with pytest.raises(ValueError):
            parse_sentinel_url(bad)


async def test_the_app_asks_the_sentinel_for_the_master(sentinel_services, group):
    _, built = sentinel_services
    assert await built.stores.redis.master_address() == ("127.0.0.1", group.master_port)
    assert await built.stores.redis.ping()


def test_doctor_names_the_master_the_sentinel_gave(settings, services, group):
    done = run_doctor(
        {
            "TELEHALL_DATA_DIR": str(settings.data_dir),
            "TELEHALL_DATABASE_URL": settings.resolved_database_url,
            "TELEHALL_REDIS_SENTINELS": group.sentinels,
            "TELEHALL_REDIS_SENTINEL_MASTER": MASTER_NAME,
        }
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    port = group.master_port
    assert f"ok redis.sentinel: master '{MASTER_NAME}' at 127.0.0.1:{port}, 1 replica(s)" in out
    assert "warn redis.sentinel.quorum: 1 sentinel(s) watch" in out  # one sentinel: no majority
    assert "ok redis: reachable" in out
    wrong = run_doctor(
        {
            "TELEHALL_DATA_DIR": str(settings.data_dir),
            "TELEHALL_DATABASE_URL": settings.resolved_database_url,
            "TELEHALL_REDIS_SENTINELS": group.sentinels,
            "TELEHALL_REDIS_SENTINEL_MASTER": "no-such-group",
        }
    )
    assert wrong.returncode == 1
    assert "FAIL redis.sentinel: no sentinel names a master for 'no-such-group'" in wrong.stdout


async def test_login_and_a_purchase_survive_a_failover(sapi, sentinel_services, group, clock):
    on_sentinel, built = sentinel_services
    redis_prefix = on_sentinel.redis_prefix
    redis = built.stores.redis
    marketing = await staff_token(built, "marketing")
    sale = await create_sale(sapi, marketing, clock.now(), unitsTotal=5, perSubscriberLimit=2)
    clock.set(datetime.fromisoformat(sale["startsAt"]) + timedelta(seconds=1))
    sub = await subscribe(built, balance_fen=100_000)
    login = await password_login(sapi, sub.msisdn, TEST_PASSWORD)
    assert login["userErrors"] == []
    token = login["session"]["token"]
    first = await buy(sapi, token, sale["id"], 1)
    assert first["userErrors"] == [] and first["reservation"]["quantity"] == 1
    assert await redis.execute_command("WAIT", 1, 5000) == 1  # the replica has all of it
    # two more clients with idle connections to the master: one asks the sentinels again every
    # 0.2 s (as the hall's does), one never does on its own (redis-py's behaviour)
    url = SentinelTarget(sentinel_addresses(group.sentinels), MASTER_NAME).url
    checking = connect_redis(url, 4, sentinel_check_seconds=0.2)
    trusting = connect_redis(url, 4, sentinel_check_seconds=3600)
    for client in (checking, trusting):
        await asyncio.gather(*(client.execute_command("PING") for _ in range(4)))

    old = group.master_port
    group.promote()
    assert group.master_port != old
    # between promotion and demotion (some ten seconds) the old master still takes writes,
    # which its resync from the new master then throws away: this unit must land on the new one
    await asyncio.sleep(0.3)
    second = await buy(sapi, token, sale["id"], 1)
    assert second["userErrors"] == [] and second["reservation"]["quantity"] == 1
    probe = f"{redis_prefix}probe:{secrets.token_hex(4)}"
    try:
        await checking.set(f"{probe}:checking", "1")
        await trusting.set(f"{probe}:trusting", "1")
    finally:
        await checking.aclose()
        await trusting.aclose()
    group.wait_demoted()
    assert await redis.get(f"{probe}:checking") == "1"
    assert await redis.get(f"{probe}:trusting") is None  # written to the old master: lost

    # the same services: the session made on the old master, the stock and the per-buyer count
    me = await sapi.as_(token).data("{ me { msisdn } }")
    assert me["me"]["msisdn"] == sub.msisdn
    third = await buy(sapi, token, sale["id"], 1)
    assert [e["code"] for e in third["userErrors"]] == ["LIMIT_REACHED"]  # 2 each, across it
    assert await redis.master_address() == ("127.0.0.1", group.master_port)
    assert await built.stores.flash_sales.remaining(sale["id"]) == 3
    assert await FlashUnit.filter(sale_id=sale["id"]).count() == 2
    fresh = await subscribe(built)
    again = await password_login(sapi, fresh.msisdn, TEST_PASSWORD)
    assert again["userErrors"] == [] and again["session"]["scope"] == "FULL"


async def test_a_quiet_pub_sub_listener_stays_subscribed_through_the_sentinel(sentinel_services):
    """Chat fan-out: a pub/sub subscription on the master the sentinel names, served by the
    same pool, gets a message published after a quiet spell."""
    _, built = sentinel_services
    feed = built.stores.chat_feed
    conversation = f"conv-{secrets.token_hex(4)}"
    listening = feed.listen(conversation).__aiter__()
    first = asyncio.ensure_future(anext(listening))
    try:
        channel = feed.channel(conversation)
        while await built.stores.redis.pubsub_numsub(channel) != [(channel, 1)]:
            await asyncio.sleep(0.05)
        await asyncio.sleep(2.5)  # past the sentinels' 2 s read timeout, which is theirs only
        await feed.publish(conversation, {"text": "您好"})
        assert await asyncio.wait_for(first, 5) == {"text": "您好"}
    finally:
        first.cancel()
        await listening.aclose()
