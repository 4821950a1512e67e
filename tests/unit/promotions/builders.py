"""Terse builders for promotion tests: the 517 festival window, cart lines and campaigns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from domain.calendar import SHANGHAI
from domain.pricing import (
    Cart,
    CartLine,
    Channel,
    LineQuote,
    OfferingKind,
    Quote,
    SubscriberProfile,
)
from domain.promotions.caps import CampaignUsage
from domain.promotions.engine import evaluate
from domain.promotions.model import (
    Benefit,
    Campaign,
    Stacking,
    StackingRule,
    Targets,
    shanghai_days,
)

K = OfferingKind
FESTIVAL_START, FESTIVAL_END = shanghai_days(date(2026, 5, 15), date(2026, 5, 21))
DURING = datetime(2026, 5, 16, 10, 0, tzinfo=SHANGHAI)
SUBSCRIBER = SubscriberProfile("13800000000", tenure_months=24, plan_id="plan-58", region="GD")


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def plan(offering_id: str = "ice", price: int = 39800) -> CartLine:
    return CartLine(offering_id, K.PLAN, f"plan {offering_id}", price, True)


def pack(offering_id: str, price: int, kind: OfferingKind = K.DATA) -> CartLine:
    return CartLine(offering_id, kind, f"pack {offering_id}", price, True)


def recharge(price: int = 5000) -> CartLine:
    return CartLine(f"recharge-{price}", K.RECHARGE, f"recharge {price}", price, False)


def mall(offering_id: str, price: int) -> CartLine:
    return CartLine(offering_id, K.MALL_ITEM, f"item {offering_id}", price, False)


def campaign(
    cid: str = "c1",
    benefit: Benefit | None = None,
    targets: Targets | None = None,
    *,
    rule: StackingRule = StackingRule.STACKABLE,
    combines_with: tuple[str, ...] = (),
    **fields: Any,
) -> Campaign:
    fields.setdefault("starts_at", FESTIVAL_START)
    fields.setdefault("ends_at", FESTIVAL_END)
    return Campaign(
        id=cid,
        name=fields.pop("name", f"campaign {cid}"),
        targets=targets or Targets(plan_ids=("ice",)),
        benefit=benefit or Benefit.percent_off(5000),
        stacking=Stacking(rule, combines_with),
        **fields,
    )


def price(
    lines: Iterable[CartLine],
    campaigns: Iterable[Campaign],
    *,
    profile: SubscriberProfile = SUBSCRIBER,
    channel: Channel = Channel.APP,
    at: datetime = DURING,
    usage: Mapping[str, CampaignUsage] | None = None,
    effective_from: datetime | None = None,
) -> Quote:
    return evaluate(
        Cart(tuple(lines)), profile, channel, at, list(campaigns), usage, effective_from
    )


def reasons(quote: Quote) -> dict[str, str]:
    return {r.campaign_id: r.reason for r in quote.rejected}


def applied_ids(quote: Quote) -> list[str]:
    return [a.campaign_id for a in quote.applied]


def line(quote: Quote, offering_id: str) -> LineQuote:
    return next(q for q in quote.lines if q.offering_id == offering_id)


def months(quote: Quote) -> list[int]:
    return [m.price_fen for m in quote.schedule]
