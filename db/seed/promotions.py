"""Seed festivals and campaigns (DESIGN §4, Promotions), placed relative to the clock so a fresh
`make run` on any day shows a lively hall:

- the season running now (岁末新春季 Dec–Feb, 春日焕新季 Mar–May, 清凉暑期季 Jun–Aug, 金秋感恩季
  Sep–Nov): a 6GB data pack at half price for 3 months, the half-year 12GB pack 20 % off, double
  points on the 5G 298 plan, so quoteBundle with DATA-6G and packPurchase of ADD-HY-12G show
  real adjustments;
- the next (or current) 517 网购节 (May 15–21): the ice-cream plan at half its monthly fee through
  November (100,000 units nationwide, 1 per subscriber) with a 1-year cloud-storage gift, 10 %
  off recharges in the app, and a directional video pack free until June for existing subscribers;
- the last (or current) 双11 通信狂欢节 (November 1–11): device and pack offers.

Ids carry the occurrence (`fest-517-2027`, `517-2027-ICE-HALF`, `SEASON-202612-DATA-6G`). Seeding
creates what is missing and never overwrites what marketing changed since.
"""

from __future__ import annotations

from datetime import datetime

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
from domain.promotions.occurrences import SEASON_NAMES, Occurrence, latest, season, upcoming

SEED_ACTOR = "seed"


def _midnight(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=SHANGHAI)


def _festival(fid: str, name: str, when: Occurrence, description: str) -> Festival:
    return Festival(fid, name, *shanghai_days(when.first, when.last), description=description)


def _in(festival: Festival, **fields: object) -> Campaign:
    fields.setdefault("starts_at", festival.starts_at)
    fields.setdefault("ends_at", festival.ends_at)
    return Campaign(festival_id=festival.id, **fields)  # type: ignore[arg-type]


def festival_517(now: datetime) -> tuple[Festival, list[Campaign]]:
    when = upcoming(now, 5, 15, 21)
    y = when.year
    f = _festival(
        f"fest-517-{y}",
        f"517 网购节 {y}",
        when,
        "5月15日至21日，网上营业厅专享：冰激凌套餐半价、App充值9折、视频流量包免费体验。",
    )
    return f, [
        _in(
            f,
            id=f"517-{y}-ICE-HALF",
            name="冰激凌套餐月费5折",
            description=f"517期间办理冰激凌套餐，月费5折至{y}年11月底；全国限量10万份，每人限1份。",
            targets=Targets(plan_ids=("ICE-398",)),
            benefit=Benefit.recurring(percent_bp=5000, until=_midnight(y, 12, 1)),
            priority=10,
            stacking=Stacking(StackingRule.EXCLUSIVE, (f"517-{y}-ICE-CLOUD",)),
            caps=Caps(units_total=100_000, per_subscriber=1),
        ),
        _in(
            f,
            id=f"517-{y}-ICE-CLOUD",
            name="办冰激凌套餐送和彩云1年会员",
            description="517期间办理冰激凌套餐，赠送和彩云网盘1年会员。",
            targets=Targets(plan_ids=("ICE-398",)),
            benefit=Benefit.gift("和彩云网盘1年会员"),
            priority=5,
        ),
        _in(
            f,
            id=f"517-{y}-RECHARGE-APP",
            name="App充值9折",
            description="517期间在App充值享9折，每人限2次。",
            targets=Targets(kinds=(OfferingKind.RECHARGE,)),
            benefit=Benefit.percent_off(1000),
            channels=(Channel.APP,),
            caps=Caps(per_subscriber=2, budget_fen=100_000_000),
        ),
        _in(
            f,
            id=f"517-{y}-VIDEO-TRIAL",
            name="咪咕视频定向流量包免费领",
            description="老用户517期间免费领取咪咕视频定向流量包，每人限1次。",
            targets=Targets(pack_ids=("ADD-DIR-MIGU",)),
            benefit=Benefit.free_trial(_midnight(y, 6, 1)),
            audience=Audience(segment=Segment.EXISTING),
            caps=Caps(per_subscriber=1),
        ),
    ]


def festival_1111(now: datetime) -> tuple[Festival, list[Campaign]]:
    when = latest(now, 11, 1, 11)
    y = when.year
    f = _festival(
        f"fest-1111-{y}",
        f"双11 通信狂欢节 {y}",
        when,
        "11月1日至11日，指定5G手机立减、流量包折扣。",
    )
    return f, [
        _in(
            f,
            id=f"1111-{y}-PHONE-500",
            name="指定5G手机立减500元",
            description="双11期间积分商城指定5G手机立减500元，限量2000台。",
            targets=Targets(mall_item_ids=("DEV-MATE-70", "DEV-IPHONE-17")),
            benefit=Benefit.amount_off(50_000),
            caps=Caps(units_total=2_000, per_subscriber=1),
        ),
        _in(
            f,
            id=f"1111-{y}-HY-12G",
            name="半年流量包12GB 7折",
            targets=Targets(pack_ids=("ADD-HY-12G",)),
            benefit=Benefit.percent_off(3000),
            caps=Caps(units_total=50_000, per_subscriber=2),
        ),
        _in(
            f,
            id=f"1111-{y}-5G-FIRST3",
            name="5G智享套餐198元 前3个月月费立减30元",
            targets=Targets(plan_ids=("5G-198",)),
            benefit=Benefit.recurring(amount_fen=3_000, months=3),
            caps=Caps(units_total=20_000, per_subscriber=1),
        ),
    ]


def season_festival(now: datetime) -> tuple[Festival, list[Campaign]]:
    when = season(now)
    name = SEASON_NAMES[when.first.month]
    tag = f"SEASON-{when.first:%Y%m}"
    f = _festival(
        f"fest-season-{when.first:%Y%m}",
        f"{name} {when.first:%Y}",
        when,
        "本季回馈老用户：流量包折扣、5G套餐积分翻倍。",
    )
    return f, [
        _in(
            f,
            id=f"{tag}-DATA-6G",
            name="组合套餐6GB流量包 前3个月5折",
            description="本季订购4G全国组合选6GB流量包，前3个月流量包月费5折。",
            targets=Targets(pack_ids=("DATA-6G",)),
            benefit=Benefit.recurring(percent_bp=5000, months=3),
            caps=Caps(units_total=50_000, per_subscriber=1),
        ),
        _in(
            f,
            id=f"{tag}-HY-12G",
            name="半年流量包12GB 8折",
            targets=Targets(pack_ids=("ADD-HY-12G",)),
            benefit=Benefit.percent_off(2000),
            caps=Caps(units_total=20_000, per_subscriber=2),
        ),
        _in(
            f,
            id=f"{tag}-5G-POINTS",
            name="5G智享套餐298元 积分翻倍",
            targets=Targets(plan_ids=("5G-298",)),
            benefit=Benefit.points_multiplier(20_000),
        ),
    ]


def demo_festivals(now: datetime) -> list[tuple[Festival, list[Campaign]]]:
    return [season_festival(now), festival_517(now), festival_1111(now)]


async def seed_promotions(now: datetime) -> int:
    """Create the seed festivals and campaigns that are missing; returns how many were made."""
    made = 0
    for festival, campaigns in demo_festivals(now):
        if not await FestivalRow.exists(id=festival.id):
            async with in_transaction() as conn:
                await repo.create_festival(conn, festival, SEED_ACTOR, None, now)
            made += 1
        for campaign in campaigns:
            if not await CampaignRow.exists(id=campaign.id):
                async with in_transaction() as conn:
                    await repo.create_campaign(conn, campaign, SEED_ACTOR, None, now)
                made += 1
    return made
