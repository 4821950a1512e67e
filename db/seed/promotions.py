"""Seed festivals and campaigns (DESIGN §4, Promotions), so a fresh `make run` shows them:

- 517 网购节 2027 (May 15–21, Shanghai days): the ice-cream plan at half its monthly fee through
  November (100,000 units nationwide, 1 per subscriber) with a 1-year cloud-storage gift, 10 %
  off recharges in the app, and a directional video pack free until June for existing
  subscribers.
- 双11 通信狂欢节 2026 (November 1–11, 11 days): device and pack offers, over by now.
- 岁末感恩季 2026 (November 20 – December 31): running now, so quoteBundle with DATA-6G and
  packPurchase of ADD-HY-12G show real adjustments.

Seeding creates what is missing and never overwrites what marketing changed since.
"""

from __future__ import annotations

from datetime import date, datetime

from tortoise.transactions import in_transaction

from db.models.promotions import Campaign as CampaignRow
from db.models.promotions import Festival as FestivalRow
from db.repositories import promotions as repo
from domain.calendar import SHANGHAI
from domain.pricing import Channel, OfferingKind
from domain.promotions.model import (
    Audience,
    Benefit,
    Campaign,
    Caps,
    Festival,
    Segment,
    Stacking,
    StackingRule,
    Targets,
    shanghai_days,
)

SEED_ACTOR = "seed"


def _midnight(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=SHANGHAI)


F517 = Festival(
    "fest-517-2027",
    "517 网购节 2027",
    *shanghai_days(date(2027, 5, 15), date(2027, 5, 21)),
    description="5月15日至21日，网上营业厅专享：冰激凌套餐半价、App充值9折、视频流量包免费体验。",
)
F1111 = Festival(
    "fest-1111-2026",
    "双11 通信狂欢节 2026",
    *shanghai_days(date(2026, 11, 1), date(2026, 11, 11)),
    description="11月1日至11日，指定5G手机立减、流量包折扣。",
)
FYE = Festival(
    "fest-ye-2026",
    "岁末感恩季 2026",
    *shanghai_days(date(2026, 11, 20), date(2026, 12, 31)),
    description="年终回馈老用户：流量包折扣、5G套餐积分翻倍。",
)
FESTIVALS = (F517, F1111, FYE)


def _in(festival: Festival, **fields: object) -> Campaign:
    fields.setdefault("starts_at", festival.starts_at)
    fields.setdefault("ends_at", festival.ends_at)
    return Campaign(festival_id=festival.id, **fields)  # type: ignore[arg-type]


CAMPAIGNS = (
    _in(
        F517,
        id="517-ICE-HALF",
        name="冰激凌套餐月费5折",
        description="517期间办理冰激凌套餐，月费5折至2027年11月底；全国限量10万份，每人限1份。",
        targets=Targets(plan_ids=("ICE-398",)),
        benefit=Benefit.recurring(percent_bp=5000, until=_midnight(2027, 12, 1)),
        priority=10,
        stacking=Stacking(StackingRule.EXCLUSIVE, ("517-ICE-CLOUD",)),
        caps=Caps(units_total=100_000, per_subscriber=1),
    ),
    _in(
        F517,
        id="517-ICE-CLOUD",
        name="办冰激凌套餐送和彩云1年会员",
        description="517期间办理冰激凌套餐，赠送和彩云网盘1年会员。",
        targets=Targets(plan_ids=("ICE-398",)),
        benefit=Benefit.gift("和彩云网盘1年会员"),
        priority=5,
    ),
    _in(
        F517,
        id="517-RECHARGE-APP",
        name="App充值9折",
        description="517期间在App充值享9折，每人限2次。",
        targets=Targets(kinds=(OfferingKind.RECHARGE,)),
        benefit=Benefit.percent_off(1000),
        channels=(Channel.APP,),
        caps=Caps(per_subscriber=2, budget_fen=100_000_000),
    ),
    _in(
        F517,
        id="517-VIDEO-TRIAL",
        name="咪咕视频定向流量包免费领",
        description="老用户517期间免费领取咪咕视频定向流量包，每人限1次。",
        targets=Targets(pack_ids=("ADD-DIR-MIGU",)),
        benefit=Benefit.free_trial(_midnight(2027, 6, 1)),
        audience=Audience(segment=Segment.EXISTING),
        caps=Caps(per_subscriber=1),
    ),
    _in(
        F1111,
        id="1111-PHONE-500",
        name="指定5G手机立减500元",
        description="双11期间积分商城指定5G手机立减500元，限量2000台。",
        targets=Targets(mall_item_ids=("DEV-MATE-70", "DEV-IPHONE-17")),
        benefit=Benefit.amount_off(50_000),
        caps=Caps(units_total=2_000, per_subscriber=1),
    ),
    _in(
        F1111,
        id="1111-HY-12G",
        name="半年流量包12GB 7折",
        targets=Targets(pack_ids=("ADD-HY-12G",)),
        benefit=Benefit.percent_off(3000),
        caps=Caps(units_total=50_000, per_subscriber=2),
    ),
    _in(
        F1111,
        id="1111-5G-FIRST3",
        name="5G智享套餐198元 前3个月月费立减30元",
        targets=Targets(plan_ids=("5G-198",)),
        benefit=Benefit.recurring(amount_fen=3_000, months=3),
        caps=Caps(units_total=20_000, per_subscriber=1),
    ),
    _in(
        FYE,
        id="YE-DATA-6G",
        name="组合套餐6GB流量包 前3个月5折",
        description="岁末订购4G全国组合选6GB流量包，前3个月流量包月费5折。",
        targets=Targets(pack_ids=("DATA-6G",)),
        benefit=Benefit.recurring(percent_bp=5000, months=3),
        caps=Caps(units_total=50_000, per_subscriber=1),
    ),
    _in(
        FYE,
        id="YE-HY-12G",
        name="半年流量包12GB 8折",
        targets=Targets(pack_ids=("ADD-HY-12G",)),
        benefit=Benefit.percent_off(2000),
        caps=Caps(units_total=20_000, per_subscriber=2),
    ),
    _in(
        FYE,
        id="YE-5G-POINTS",
        name="5G智享套餐298元 积分翻倍",
        targets=Targets(plan_ids=("5G-298",)),
        benefit=Benefit.points_multiplier(20_000),
    ),
)


async def seed_promotions(now: datetime) -> int:
    """Create the seed festivals and campaigns that are missing; returns how many were made."""
    made = 0
    for festival in FESTIVALS:
        if not await FestivalRow.exists(id=festival.id):
            async with in_transaction() as conn:
                await repo.create_festival(conn, festival, SEED_ACTOR, None, now)
            made += 1
    for campaign in CAMPAIGNS:
        if not await CampaignRow.exists(id=campaign.id):
            async with in_transaction() as conn:
                await repo.create_campaign(conn, campaign, SEED_ACTOR, None, now)
            made += 1
    return made
