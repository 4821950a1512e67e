"""Cap reservations around orders, against the real database and Redis: the sweeper (unpaid
holds, late confirmations, releases a crash or another code path left behind), the lazy sweep,
and the campaign index cache following the Redis version counter."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest
from tortoise.transactions import in_transaction

from db.models.orders import Order
from db.models.promotions import CampaignRedemption, CampaignStats
from db.repositories import promotions as repo
from domain.errors import DomainError
from domain.orders import OrderKind, OrderStatus
from domain.pricing import Channel, OfferingKind, SubscriberProfile
from domain.pricing_codec import quote_to_json
from domain.promotions.engine import evaluate
from domain.promotions.model import Benefit, Campaign, Caps, Targets
from resolvers import campaign_caps, promotion_index
from resolvers.pricing import recharge_cart
from tests.api.promo_helpers import Window, promotions_cleanup  # noqa: F401 (fixture)
from tests.conftest import subscribe

pytestmark = pytest.mark.usefixtures("promotions_cleanup")


async def _campaign(window: Window, **caps: int) -> Campaign:
    c = Campaign(
        id=f"cmp-t{uuid4().hex[:10]}",
        name="充值立减",
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        targets=Targets(kinds=(OfferingKind.RECHARGE,)),
        benefit=Benefit.amount_off(500),
        caps=Caps(**caps),
    )
    async with in_transaction() as conn:
        await repo.create_campaign(conn, c, "test", None, window.during)
    return c


async def _order(sub_id: int, status: OrderStatus, quote, order_id, rid=None) -> Order:
    async with in_transaction() as conn:
        order = await Order.create(
            id=order_id,
            subscriber_id=sub_id,
            kind=OrderKind.RECHARGE,
            status=status,
            idempotency_key=uuid4().hex[:16],
            list_price_fen=quote.list_price_fen,
            final_price_fen=quote.final_price_fen,
            pricing=quote_to_json(quote),
            details={"fingerprint": "x", "cap_reservation": rid},
            using_db=conn,
        )
        if status is not OrderStatus.PENDING_PAYMENT:
            await repo.record_redemptions(
                conn, campaign_caps.reservation_id(order_id), order_id, sub_id, quote, rid
            )
    return order


async def _setup(services, **caps):
    w = Window()
    c = await _campaign(w, **caps)
    sub = await subscribe(services)
    profile = SubscriberProfile(str(sub.id))
    quote = evaluate(recharge_cart(10_000), profile, Channel.APP, w.during, [c])
    assert quote.final_price_fen == 9_500
    assert quote.campaign_units == ((c.id,) if c.caps.any else ())
    return w, c, sub, quote


async def taken(services, campaign_id: str) -> int:
    return (await services.stores.campaign_caps.taken(campaign_id))[0]


async def test_unpaid_holds_expire_and_their_orders_too(services):
    w, c, sub, quote = await _setup(services, units_total=1)
    order_id = uuid4()
    rid = campaign_caps.reservation_id(order_id)
    assert await campaign_caps.hold(services, rid, sub.id, quote, w.during) == rid
    await _order(sub.id, OrderStatus.PENDING_PAYMENT, quote, order_id, rid)
    assert await taken(services, c.id) == 1
    early = await campaign_caps.sweep(services, w.during + timedelta(minutes=14))
    assert early.expired == 0 and await taken(services, c.id) == 1
    report = await campaign_caps.sweep(services, w.during + timedelta(minutes=15))
    assert (report.expired, report.orders_expired) == (1, 1)
    assert (await Order.get(id=order_id)).status is OrderStatus.EXPIRED
    assert await taken(services, c.id) == 0


async def test_a_committed_order_whose_hold_lapsed_still_counts(services):
    w, c, sub, quote = await _setup(services, units_total=5)
    # the process died between commit and confirm: the sweeper must not give the unit back
    order_id = uuid4()
    rid = await campaign_caps.hold(
        services, campaign_caps.reservation_id(order_id), sub.id, quote, w.during
    )
    await _order(sub.id, OrderStatus.COMPLETED, quote, order_id, rid)
    report = await campaign_caps.sweep(services, w.during + timedelta(minutes=16))
    assert (report.expired, report.late_confirmed) == (1, 1)
    assert await taken(services, c.id) == 1
    redemption = await CampaignRedemption.get(order_id=order_id)
    assert redemption.reservation_id == f"{rid}:late"
    # a commit slower than the hold: confirm re-takes too
    slow = uuid4()
    rid = await campaign_caps.hold(
        services, campaign_caps.reservation_id(slow), sub.id, quote, w.during
    )
    await campaign_caps.confirm(services, rid, sub.id, quote, w.during + timedelta(minutes=20))
    assert await taken(services, c.id) == 2


async def test_the_sweeper_releases_what_closed_orders_still_hold(services):
    w, c, sub, quote = await _setup(services, units_total=5)
    order_id = uuid4()
    rid = await campaign_caps.hold(
        services, campaign_caps.reservation_id(order_id), sub.id, quote, w.during
    )
    await _order(sub.id, OrderStatus.SCHEDULED, quote, order_id, rid)
    await campaign_caps.confirm(services, rid, sub.id, quote, w.during)
    assert (await flushed_stats(c.id)).units_used == 1
    # cancelled by a code path that knows nothing about campaigns (a closed account, say)
    await Order.filter(id=order_id).update(status=OrderStatus.CANCELLED)
    report = await campaign_caps.sweep(services, w.during + timedelta(minutes=1))
    assert report.released == 1
    stats = await flushed_stats(c.id)
    assert (stats.units_used, stats.orders_count, stats.discount_given_fen) == (0, 0, 0)
    assert await taken(services, c.id) == 0
    assert (await CampaignRedemption.get(order_id=order_id)).state == "RELEASED"
    again = await campaign_caps.sweep(services, w.during + timedelta(minutes=2))
    assert again.released == 0 and await taken(services, c.id) == 0


async def test_placing_an_order_expires_lapsed_holds_lazily(services):
    w, c, sub, quote = await _setup(services, units_total=1)
    first = campaign_caps.reservation_id(uuid4())
    assert await campaign_caps.hold(services, first, sub.id, quote, w.during) == first
    other = await subscribe(services)
    quote2 = replace(quote)  # same takes, another subscriber
    later = w.during + timedelta(minutes=16)
    second = campaign_caps.reservation_id(uuid4())
    assert await campaign_caps.hold(services, second, other.id, quote2, later) == second
    assert await services.stores.campaign_caps.state(first) == "RETURNED"
    assert await taken(services, c.id) == 1


async def test_the_index_follows_the_redis_version(services):
    w = Window()
    before = await promotion_index.active_campaigns(services, w.during)
    c = Campaign(
        id=f"cmp-t{uuid4().hex[:10]}",
        name="直接写库",
        starts_at=w.starts_at,
        ends_at=w.ends_at,
        targets=Targets(plan_ids=("4G-76",)),
        benefit=Benefit.percent_off(1000),
    )
    async with in_transaction() as conn:
        await repo.create_campaign(conn, c, "test", None, w.during)
    cached = await promotion_index.active_campaigns(services, w.during + timedelta(seconds=1))
    assert cached is before and c.id not in cached.by_id  # no bump: still the cached index
    await services.stores.campaign_caps.bump_version()  # what every marketing change does
    fresh = await promotion_index.active_campaigns(services, w.during + timedelta(seconds=2))
    assert c.id in fresh.by_id
    stale = await promotion_index.active_campaigns(services, w.during + timedelta(minutes=6))
    assert stale is not fresh  # reloaded after REFRESH anyway


async def test_price_recharge_is_the_billing_hook(services, ctx):
    from datetime import datetime

    from db.models.accounts import Subscriber
    from db.seed.promotions import festival_517
    from domain.calendar import SHANGHAI
    from resolvers.pricing import price_recharge
    from tests.hall_clock import SEEDED_AT, seeded

    sub = await Subscriber.get(id=(await subscribe(services)).id)
    y = festival_517(SEEDED_AT)[0].starts_at.astimezone(SHANGHAI).year
    during_517 = datetime(y, 5, 18, 20, 0, tzinfo=SHANGHAI)
    app_campaign = seeded(festival_517)["RECHARGE-APP"]
    app = await price_recharge(ctx, 10_000, Channel.APP, sub, now=during_517)
    assert (app.list_price_fen, app.final_price_fen) == (10_000, 9_000)
    assert app.campaign_units == (app_campaign,)  # capped: reserve it with the payment
    web = await price_recharge(ctx, 10_000, Channel.WEB, sub, now=during_517)
    assert web.final_price_fen == 10_000
    assert [(r.campaign_id, r.reason) for r in web.rejected] == [(app_campaign, "CHANNEL")]


async def test_an_unpaid_recharge_lapses_and_a_late_payment_still_counts(services):
    w, c, sub, quote = await _setup(services, units_total=5)
    payment_id = uuid4()
    rid = campaign_caps.payment_ref(payment_id)
    assert (
        await campaign_caps.hold(services, rid, sub.id, quote, w.during, campaign_caps.PAYMENT_HOLD)
        == rid
    )
    await campaign_caps.payment_held(payment_id, sub.id, quote, rid)
    still = await campaign_caps.sweep(services, w.during + timedelta(minutes=29))
    assert still.expired == 0 and await taken(services, c.id) == 1
    lapsed = await campaign_caps.sweep(services, w.during + timedelta(minutes=30))
    assert lapsed.expired == 1 and await taken(services, c.id) == 0
    assert (await CampaignRedemption.get(ref=rid)).state == "RETURNED"
    # the provider's success arrives after all: the payer paid the discounted amount
    await campaign_caps.payment_paid(services, payment_id, sub.id, w.during + timedelta(minutes=40))
    assert await taken(services, c.id) == 1
    redemption = await CampaignRedemption.get(ref=rid)
    assert (redemption.state, redemption.reservation_id) == ("CONFIRMED", f"{rid}:late")
    assert (await flushed_stats(c.id)).orders_count == 1


async def test_an_uncapped_campaign_on_a_superseded_order_leaves_the_stats_at_once(services):
    _, c, sub, quote = await _setup(services)  # no caps: nothing in Redis
    order_id = uuid4()
    await _order(sub.id, OrderStatus.SCHEDULED, quote, order_id)
    assert (await flushed_stats(c.id)).orders_count == 1
    async with in_transaction() as conn:
        assert await repo.release_orders(conn, [order_id]) == []
    assert (await flushed_stats(c.id)).orders_count == 0
    assert (await CampaignRedemption.get(order_id=order_id)).state == "RELEASED"


async def test_counters_lost_with_redis_are_restored_from_postgres(services):
    w, c, sub, quote = await _setup(services, units_total=2, per_subscriber=1)
    order_id = uuid4()
    rid = await campaign_caps.hold(
        services, campaign_caps.reservation_id(order_id), sub.id, quote, w.during
    )
    await _order(sub.id, OrderStatus.COMPLETED, quote, order_id, rid)
    await campaign_caps.confirm(services, rid, sub.id, quote, w.during)
    store = services.stores.campaign_caps
    # Redis loses its data: the counters and the loaded marker are gone
    lost = [*store.counter_keys(c.id, str(sub.id)), store.loaded_key(c.id)]
    await services.stores.redis.delete(*lost)
    assert await store.taken(c.id, str(sub.id)) == (0, 0, 0)
    assert await campaign_caps.restore_counters(services) >= 1
    assert await store.taken(c.id, str(sub.id)) == (1, 1, 500)
    # the subscriber's limit of 1 holds again after the restart
    again = campaign_caps.reservation_id(uuid4())
    with pytest.raises(DomainError) as refused:
        await campaign_caps.hold(services, again, sub.id, quote, w.during)
    assert refused.value.code == "CAP_REACHED"
    assert await campaign_caps.load_campaign(services, c.id) is False  # loaded once per dataset


async def flushed_stats(campaign_id: str) -> CampaignStats:
    """The committed row once the pending changes are folded in (as the job runner does)."""
    from db.repositories.promotions import flush_stats

    await flush_stats()
    return await CampaignStats.get(campaign_id=campaign_id)


async def test_orders_append_stats_changes_folded_in_batches(services, settings):
    """No order transaction updates the campaign's one stats row: the change is appended,
    readers add the pending ones (exact at once), the flush folds them once."""
    import asyncio

    from tests.api.test_bills_api import run_cli

    _, c, sub, quote = await _setup(services)
    await flush_stats_all()
    before = await CampaignStats.get(campaign_id=c.id)
    for _ in range(3):
        await _order(sub.id, OrderStatus.SCHEDULED, quote, uuid4())
    untouched = await CampaignStats.get(campaign_id=c.id)
    assert untouched.orders_count == before.orders_count  # the hot row was not written
    live = (await repo.stats_by_campaign([c.id]))[c.id]
    assert live.orders_count == before.orders_count + 3  # pending changes are counted
    done = await asyncio.to_thread(run_cli, settings, "promotions", "flush-stats")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "change(s) folded into campaign stats" in done.stdout
    folded = await CampaignStats.get(campaign_id=c.id)
    assert folded.orders_count == before.orders_count + 3
    assert await repo.flush_stats() == 0  # nothing twice
    assert (await repo.stats_by_campaign([c.id]))[c.id].orders_count == folded.orders_count


async def flush_stats_all() -> None:
    while await repo.flush_stats():
        pass
