"""Hypothesis strategies: random catalogs, carts, campaign sets, usage and profiles.

Id pools are small on purpose so campaigns collide on the same lines, priorities tie and caps
bite; prices lean towards tiny values where rounding and floors are most fragile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import strategies as st

from domain.calendar import next_month_start
from domain.pricing import Cart, CartLine, Channel, OfferingKind, SubscriberProfile
from domain.promotions.caps import CampaignUsage
from domain.promotions.model import (
    PACK_KINDS,
    Audience,
    Benefit,
    BenefitKind,
    Campaign,
    Caps,
    Segment,
    Stacking,
    StackingRule,
    Targets,
)

from .builders import DURING

K = OfferingKind
AT = DURING
PLAN_IDS = ("p0", "p1", "p2")
PACK_IDS = ("k0", "k1", "k2", "k3")
MALL_IDS = ("m0", "m1")
CAMPAIGN_IDS = tuple(f"c{i}" for i in range(8))

# Equal prices across different offerings make largest-remainder ties, which must not depend on
# line order; tiny prices make rounding and floors bite.
prices = st.one_of(
    st.integers(0, 30), st.sampled_from([100, 999, 3333, 5000, 39800]), st.integers(0, 60_000)
)


def often(percent: int) -> st.SearchStrategy[bool]:
    """True about `percent` % of the time. Hypothesis favours boundary values such as 0 and 99,
    so the window sits in the middle of the range to keep the rate honest."""
    low = (100 - percent) // 2
    return st.integers(0, 99).map(lambda n: low <= n < low + percent)


@st.composite
def offerings(draw) -> CartLine:
    kind = draw(st.sampled_from(list(K)))
    if kind is K.PLAN:
        offering_id, recurring = draw(st.sampled_from(PLAN_IDS)), True
    elif kind in PACK_KINDS:
        offering_id, recurring = draw(st.sampled_from(PACK_IDS)), kind is not K.ADDON
    elif kind is K.MALL_ITEM:
        offering_id, recurring = draw(st.sampled_from(MALL_IDS)), False
    else:
        offering_id, recurring = "recharge", False
    return CartLine(offering_id, kind, f"{kind} {offering_id}", draw(prices), recurring)


catalogs = st.lists(offerings(), min_size=2, max_size=8)


@st.composite
def carts(draw, catalog: list[CartLine] | None = None) -> Cart:
    catalog = catalog or draw(catalogs)
    return Cart(tuple(draw(st.lists(st.sampled_from(catalog), min_size=1, max_size=6))))


dense_carts = carts().filter(lambda cart: len(cart.lines) >= 2)


def _subset(pool):
    return st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True).map(tuple)


targets = st.one_of(
    _subset(list(K)).map(lambda kinds: Targets(kinds=kinds)),
    _subset(PLAN_IDS).map(lambda ids: Targets(plan_ids=ids)),
    _subset(PACK_IDS).map(lambda ids: Targets(pack_ids=ids)),
    _subset(list(K)).map(lambda kinds: Targets(kinds=kinds)),
    _subset(MALL_IDS).map(lambda ids: Targets(mall_item_ids=ids)),
    st.builds(
        Targets,
        plan_ids=_subset(PLAN_IDS),
        pack_ids=_subset(PACK_IDS),
        kinds=st.just((K.RECHARGE,)),
    ),
)


BP = st.integers(1, 10_000)
AMOUNT = st.integers(1, 60_000)
TERM = st.integers(1, 24)
PRICE_KINDS = [k for k in BenefitKind if k not in (BenefitKind.GIFT, BenefitKind.POINTS_MULTIPLIER)]


@st.composite
def benefits(draw, until: datetime, price_only: bool = False) -> Benefit:
    kind = draw(st.sampled_from(PRICE_KINDS if price_only else list(BenefitKind)))
    if kind is BenefitKind.PERCENT_OFF:
        return Benefit.percent_off(draw(BP))
    if kind is BenefitKind.AMOUNT_OFF:
        return Benefit.amount_off(draw(AMOUNT))
    if kind is BenefitKind.FIXED_PRICE:
        return Benefit.fixed_price(draw(st.integers(0, 60_000)))
    if kind is BenefitKind.FREE_TRIAL:
        return Benefit.free_trial(until)
    if kind is BenefitKind.GIFT:
        return Benefit.gift(draw(st.sampled_from(("cloud-1y", "video-vip"))))
    if kind is BenefitKind.POINTS_MULTIPLIER:
        return Benefit.points_multiplier(draw(st.sampled_from((15_000, 20_000, 30_000))))
    size = {"percent_bp": draw(BP)} if draw(st.booleans()) else {"amount_fen": draw(AMOUNT)}
    term = {"months": draw(TERM)} if draw(st.booleans()) else {"until": until}
    return Benefit.recurring(**size, **term)


CHANNELS = _subset([Channel.WEB, Channel.APP])
AUDIENCES = st.one_of(
    st.just(Audience()),
    st.builds(
        Audience,
        segment=st.sampled_from(list(Segment)),
        min_tenure_months=st.integers(0, 24),
        regions=st.sampled_from([(), ("GD",)]),
    ),
)
CAPS = st.one_of(
    st.just(Caps()),
    st.builds(
        Caps,
        units_total=st.none() | st.integers(0, 10),
        per_subscriber=st.none() | st.integers(0, 3),
        budget_fen=st.none() | st.integers(0, 200_000),
    ),
)
FLOORS = st.none() | st.integers(0, 30_000)
RULES = st.sampled_from([StackingRule.STACKABLE, StackingRule.EXCLUSIVE, StackingRule.STOP_AFTER])
PARTNERS = {
    cid: st.one_of(
        st.just(()),
        st.lists(
            st.sampled_from([c for c in CAMPAIGN_IDS if c != cid]), max_size=3, unique=True
        ).map(tuple),
    )
    for cid in CAMPAIGN_IDS
}
HOURS = timedelta(hours=1)
MOSTLY = often(85)
USUALLY = often(60)
RARELY = often(5)
BOTH_CHANNELS = (Channel.WEB, Channel.APP)


@st.composite
def campaigns(draw, cid: str, in_window: bool | None = None, dense: bool = False) -> Campaign:
    """`dense` campaigns are all live, for everyone and uncapped, so they fight over lines."""
    if dense or in_window or (in_window is None and draw(MOSTLY)):
        starts_at = AT - draw(st.integers(0, 24 * 30)) * HOURS
        ends_at = AT + draw(st.integers(1, 24 * 30)) * HOURS
    else:
        starts_at = AT + draw(st.integers(-24 * 30, 24 * 30)) * HOURS
        ends_at = starts_at + draw(st.integers(1, 24 * 60)) * HOURS
    until = starts_at + draw(st.integers(1, 24 * 400)) * HOURS
    if dense:
        return Campaign(
            id=cid,
            name=f"campaign {cid}",
            starts_at=starts_at,
            ends_at=ends_at,
            targets=draw(targets),
            benefit=draw(benefits(until)),
            priority=draw(st.integers(0, 3)),
            stacking=Stacking(draw(RULES), draw(PARTNERS[cid])),
            floor_fen=draw(FLOORS) if draw(often(30)) else None,
        )
    return Campaign(
        id=cid,
        name=f"campaign {cid}",
        starts_at=starts_at,
        ends_at=ends_at,
        targets=draw(targets),
        benefit=draw(benefits(until)),
        channels=BOTH_CHANNELS if draw(MOSTLY) else draw(CHANNELS),
        audience=Audience() if draw(MOSTLY) else draw(AUDIENCES),
        priority=draw(st.integers(0, 3)),
        stacking=Stacking(draw(RULES), draw(PARTNERS[cid])),
        caps=Caps() if draw(USUALLY) else draw(CAPS),
        floor_fen=draw(FLOORS) if draw(often(30)) else None,
        paused=draw(RARELY),
    )


@st.composite
def campaign_sets(
    draw, min_size: int = 1, max_size: int = 8, dense: bool = False
) -> list[Campaign]:
    ids = draw(
        st.lists(st.sampled_from(CAMPAIGN_IDS), min_size=min_size, max_size=max_size, unique=True)
    )
    return [draw(campaigns(cid, dense=dense)) for cid in ids]


profiles = st.builds(
    SubscriberProfile,
    subscriber_id=st.sampled_from([None, "s1"]),
    new_subscriber=st.booleans(),
    tenure_months=st.integers(0, 36),
    plan_id=st.sampled_from([None, "p0"]),
    region=st.sampled_from([None, "GD", "BJ"]),
)


USAGE = st.builds(
    CampaignUsage,
    units_taken=st.integers(0, 10),
    subscriber_units=st.integers(0, 3),
    budget_spent_fen=st.integers(0, 200_000),
)


@dataclass(frozen=True)
class Scenario:
    cart: Cart
    campaigns: list[Campaign]
    profile: SubscriberProfile
    channel: Channel
    usage: dict[str, CampaignUsage]
    effective_from: datetime

    def args(self) -> tuple:
        return (
            self.cart,
            self.profile,
            self.channel,
            AT,
            self.campaigns,
            self.usage,
            self.effective_from,
        )


EFFECTIVE = st.sampled_from([AT, next_month_start(AT)])
CHANNEL = st.sampled_from(list(Channel))


@st.composite
def scenarios(draw, campaign_set=None, dense: bool = False) -> Scenario:
    """Random pricing situations; `dense` ones put 2+ lines against 2+ live campaigns."""
    if campaign_set is None:
        campaign_set = campaign_sets(min_size=2, dense=True) if dense else campaign_sets()
    chosen = draw(campaign_set)
    return Scenario(
        cart=draw(dense_carts if dense else carts()),
        campaigns=chosen,
        profile=draw(profiles),
        channel=draw(CHANNEL),
        usage={c.id: CampaignUsage() if dense or draw(USUALLY) else draw(USAGE) for c in chosen},
        effective_from=draw(EFFECTIVE),
    )


any_scenario = st.one_of(scenarios(), scenarios(dense=True))
