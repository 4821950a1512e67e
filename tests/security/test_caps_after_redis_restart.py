"""Finding 5: a campaign with perSubscriber 2; Redis restarted empty while the app ran, then 2
more discounted purchases went through (4 in all; stats said unitsTaken 2, unitsUsed 4): the
counters were rebuilt only at start-up. The cap scripts now fail closed while a campaign is not
loaded and rebuild it from the database before taking again."""

from datetime import timedelta

import pytest

from tests.api.order_helpers import new_key
from tests.api.promo_helpers import Window, create, promotions_cleanup  # noqa: F401 (fixture)
from tests.conftest import subscribe

pytestmark = pytest.mark.usefixtures("promotions_cleanup")

BUY = """mutation($pack: ID!, $key: String!) {
  packPurchase(packId: $pack, idempotencyKey: $key, channel: APP) {
    order { id chargedFen } userErrors { code } } }"""
STATS = """query($id: ID!) { campaign(id: $id) { stats { unitsUsed unitsTaken } } }"""


async def _redis_restarts_empty(services) -> None:
    """What a restart without persistence leaves of the campaign counters: nothing."""
    redis = services.stores.redis
    store = services.stores.campaign_caps
    keys = [
        k
        for pattern in (store.key("campaign", "*"), store.ns_key("*"))
        for k in [k async for k in redis.scan_iter(match=pattern, count=1000)]
    ]
    if keys:
        await redis.delete(*keys)


async def test_per_subscriber_cap_holds_across_a_redis_restart_at_run_time(
    api, services, marketing_token, clock
):
    w = Window()
    clock.set(w.during)
    c = await create(
        api, marketing_token, w, startsAt=w.during.isoformat(),
        caps={"unitsTotal": 100, "perSubscriber": 2},
    )  # fmt: skip
    sub = await subscribe(services, balance_fen=50_000)
    me = api.as_(sub.token)
    for _ in range(2):
        out = (await me.data(BUY, pack="ADD-7D-1G", key=new_key()))["packPurchase"]
        assert out["userErrors"] == [] and out["order"]["chargedFen"] == 500
    await _redis_restarts_empty(services)
    assert not await services.stores.campaign_caps.is_loaded(c["id"])
    charged = []
    for i in range(4):
        clock.set(w.during + timedelta(minutes=i + 1))
        out = (await me.data(BUY, pack="ADD-7D-1G", key=new_key()))["packPurchase"]
        if out["userErrors"]:
            assert out["userErrors"][0]["code"] == "CAP_REACHED"  # quoted before the rebuild
        else:
            charged.append(out["order"]["chargedFen"])
    assert charged and set(charged) == {1000}  # never the discount again
    assert await services.stores.campaign_caps.is_loaded(c["id"])
    stats = (await api.as_(marketing_token).data(STATS, id=c["id"]))["campaign"]["stats"]
    assert stats == {"unitsUsed": 2, "unitsTaken": 2}
