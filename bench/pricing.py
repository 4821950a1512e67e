"""Price a 5-line cart against 200 active campaigns and print latency percentiles.

Run with `make bench-pricing` (or `python -m bench.pricing`). Not a timed test: it informs, the
target is p50 <= 1 ms. The campaign set is seeded, so runs are comparable; about half of the
campaigns target something in the cart, with every benefit kind, stacking rule and cap present.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta

from domain.calendar import SHANGHAI
from domain.pricing import Cart, CartLine, Channel, OfferingKind, Quote, SubscriberProfile
from domain.promotions.caps import CampaignUsage
from domain.promotions.engine import CampaignIndex, evaluate
from domain.promotions.model import (
    Audience,
    Benefit,
    Campaign,
    Caps,
    Segment,
    Stacking,
    StackingRule,
    Targets,
    shanghai_days,
)

CAMPAIGNS = 200
WARMUP = 500
RUNS = 5_000

K = OfferingKind
PLANS = [(f"plan-{fee}", fee * 100) for fee in (19, 29, 39, 58, 88, 128, 198, 398)]
PACKS = (
    [(f"data-{mb}", K.DATA, fen) for mb, fen in ((100, 800), (1024, 4800), (11264, 23200))]
    + [(f"voice-{m}", K.VOICE, fen) for m, fen in ((200, 3200), (500, 5600), (1000, 11200))]
    + [(f"sms-{n}", K.SMS, fen) for n, fen in ((200, 1000), (600, 3000))]
    + [("vas-callerid", K.VAS, 500), ("vas-ringback", K.VAS, 600), ("vas-cloud", K.VAS, 1000)]
    + [("addon-video", K.ADDON, 1500), ("addon-7day", K.ADDON, 1000)]
)
MALL = [f"mall-{i}" for i in range(20)]

CART = Cart(
    (
        CartLine("plan-398", K.PLAN, "冰激凌套餐", 39800, True),
        CartLine("data-1024", K.DATA, "1GB 流量包", 4800, True),
        CartLine("voice-500", K.VOICE, "500 分钟语音包", 5600, True),
        CartLine("vas-cloud", K.VAS, "云存储", 1000, True),
        CartLine("recharge-100", K.RECHARGE, "充值 100 元", 10000, False),
    )
)


def _targets(rng: random.Random) -> Targets:
    pick = rng.random()
    if pick < 0.25:
        return Targets(plan_ids=tuple(p for p, _ in rng.sample(PLANS, 3)))
    if pick < 0.5:
        return Targets(pack_ids=tuple(p for p, _, _ in rng.sample(PACKS, 4)))
    if pick < 0.65:
        return Targets(kinds=(rng.choice([K.DATA, K.VOICE, K.SMS, K.VAS, K.ADDON]),))
    if pick < 0.8:
        return Targets(kinds=(K.RECHARGE,))
    return Targets(mall_item_ids=tuple(rng.sample(MALL, 3)))


def _benefit(rng: random.Random, ends: datetime) -> Benefit:
    kind = rng.randrange(9)
    until = ends + timedelta(days=rng.choice((30, 90, 180)))
    if kind <= 1:
        return Benefit.percent_off(rng.choice((500, 1000, 2000, 5000)))
    if kind == 2:
        return Benefit.amount_off(rng.choice((500, 1000, 2000)))
    if kind == 3:
        return Benefit.fixed_price(rng.choice((990, 1990, 2990)))
    if kind == 4:
        return Benefit.recurring(percent_bp=5000, months=rng.choice((3, 6, 12)))
    if kind == 5:
        return Benefit.recurring(amount_fen=1000, until=until)
    if kind == 6:
        return Benefit.free_trial(until)
    if kind == 7:
        return Benefit.gift("cloud-storage-1y")
    return Benefit.points_multiplier(rng.choice((15000, 20000, 30000)))


def build_campaigns(count: int = CAMPAIGNS, seed: int = 517) -> list[Campaign]:
    rng = random.Random(seed)
    starts, ends = shanghai_days(date(2026, 5, 15), date(2026, 5, 21))
    campaigns = []
    ids = [f"c{n:04d}" for n in range(count)]
    for cid in ids:
        rule = rng.choices(list(StackingRule), weights=(1, 8, 1))[0]
        combines = tuple(rng.sample(ids, 3)) if rng.random() < 0.1 else ()
        campaigns.append(
            Campaign(
                id=cid,
                name=f"517 网购节 {cid}",
                starts_at=starts,
                ends_at=ends,
                targets=_targets(rng),
                benefit=_benefit(rng, ends),
                channels=rng.choice(((Channel.APP,), (Channel.WEB, Channel.APP))),
                audience=rng.choice(
                    (Audience(), Audience(segment=Segment.EXISTING, min_tenure_months=6))
                ),
                priority=rng.randrange(5),
                stacking=Stacking(rule, tuple(c for c in combines if c != cid)),
                caps=rng.choice((Caps(), Caps(units_total=100_000, per_subscriber=1))),
                floor_fen=rng.choice((None, None, 900)),
            )
        )
    return campaigns


def main() -> None:
    campaigns = build_campaigns()
    index = CampaignIndex(campaigns)
    profile = SubscriberProfile("13800000000", tenure_months=24, plan_id="plan-128")
    at = datetime(2026, 5, 17, 20, 0, tzinfo=SHANGHAI)
    usage = {c.id: CampaignUsage(units_taken=4_000) for c in campaigns if c.caps.any}

    def once() -> Quote:
        return evaluate(CART, profile, Channel.APP, at, index, usage)

    for _ in range(WARMUP):
        once()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(RUNS):
        t0 = clock()
        once()
        samples.append((clock() - t0) / 1000)
    samples.sort()
    quote = once()
    p50 = samples[len(samples) // 2]
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(f"campaigns: {len(index)} active; cart: {len(CART.lines)} lines; runs: {RUNS}")
    print(
        f"considered: {len(quote.applied) + len(quote.rejected)} "
        f"(applied {len(quote.applied)}, rejected {len(quote.rejected)})"
    )
    print(f"p50: {p50:.1f} µs  p99: {p99:.1f} µs  mean: {statistics.fmean(samples):.1f} µs")
    print(f"python: {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
