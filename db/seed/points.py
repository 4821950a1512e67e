"""The points mall's demo catalogue and some points for the first demo number."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.lucky_draw import DrawPrize
from db.models.points import MallCode, MallItem
from db.repositories import points as points_repo
from domain.points.mall import CODE_KINDS, MallCategory, MallItemKind

C, K = MallCategory, MallItemKind
# id, name, category, kind, points, cash fen, stock (codes for code items), limit, add-on, credit
CATALOGUE = [
    ("MALL-SPEAKER", "小度蓝牙音箱", C.DIGITAL, K.GOODS, 3500, 0, 200, 2, None, 0),
    ("MALL-POWERBANK", "10000mAh 充电宝", C.DIGITAL, K.GOODS, 2800, 990, 300, 2, None, 0),
    ("MALL-KETTLE", "1.7L 电热水壶", C.HOME, K.GOODS, 4200, 0, 100, 1, None, 0),
    ("MALL-UMBRELLA", "晴雨两用伞", C.HOME, K.GOODS, 1200, 0, 500, 3, None, 0),
    ("MALL-IQIYI-Q", "爱奇艺黄金会员季卡", C.VIDEO, K.VIDEO_MEMBERSHIP, 2000, 0, 50, 1, None, 0),
    ("MALL-TENCENT-M", "腾讯视频VIP月卡", C.VIDEO, K.VIDEO_MEMBERSHIP, 800, 0, 50, 3, None, 0),
    ("MALL-DATA-1G", "7天流量包 1GB", C.DATA, K.DATA_PACK, 600, 0, 100_000, 5, "ADD-7D-1G", 0),
    ("MALL-DATA-3G", "7天流量包 3GB", C.DATA, K.DATA_PACK, 1200, 0, 100_000, 5, "ADD-7D-3G", 0),
    ("MALL-BILL-10", "10元话费", C.BILL, K.BILL_CREDIT, 1000, 0, 100_000, 10, None, 1000),
    ("MALL-BILL-30", "30元话费", C.BILL, K.BILL_CREDIT, 2900, 0, 100_000, 10, None, 3000),
    ("MALL-COFFEE", "咖啡饮品兑换券", C.LIFESTYLE, K.COUPON, 600, 0, 100, 5, None, 0),
    ("MALL-MOVIE", "电影票20元代金券", C.LIFESTYLE, K.COUPON, 1500, 500, 50, 2, None, 0),
]
DESCRIPTIONS = {
    K.GOODS: "实物商品，兑换后7个工作日内发货，发货后短信通知运单号。",
    K.VIDEO_MEMBERSHIP: "兑换后短信下发激活码，请在会员平台兑换，有效期以平台为准。",
    K.COUPON: "兑换后短信下发券码，到店或线上使用。",
    K.DATA_PACK: "兑换后立即生效，有效期7天。",
    K.BILL_CREDIT: "兑换后话费立即到账。",
}


async def seed_mall(now: datetime) -> None:
    if await MallItem.exists(id="MALL-SPEAKER"):
        return
    async with in_transaction() as conn:
        for position, row in enumerate(CATALOGUE):
            item_id, name, category, kind, points, cash, stock, limit, add_on, credit = row
            await MallItem.create(
                id=item_id,
                name=name,
                category=category,
                kind=kind,
                points_price=points,
                cash_price_fen=cash,
                stock=stock,
                per_subscriber_limit=limit,
                image_url=f"/static/mall/{category.value.lower()}.svg",
                description=DESCRIPTIONS[kind],
                add_on_id=add_on,
                credit_fen=credit,
                position=position,
                using_db=conn,
            )
            if kind in CODE_KINDS:
                await MallCode.bulk_create(
                    [
                        MallCode(item_id=item_id, code=f"{item_id[5:]}-{i:06d}")
                        for i in range(stock)
                    ],
                    using_db=conn,
                )


LUCKY_DRAW_ODDS = [
    # code, name, kind, ref, weight, stock (None: unlimited); the published table, in order
    ("P1000", "1000积分", "POINTS", "1000", 1, 200),
    ("DATA1G", "7天流量包 1GB", "DATA_PACK", "ADD-7D-1G", 4, 1000),
    ("P100", "100积分", "POINTS", "100", 15, None),
    ("P20", "20积分", "POINTS", "20", 30, None),
    ("NONE", "谢谢参与", "NOTHING", "", 50, None),
]


async def seed_lucky_draw() -> None:
    await DrawPrize.bulk_create(
        [
            DrawPrize(id=c, name=n, kind=k, ref=r, weight=w, stock=s, position=i)
            for i, (c, n, k, r, w, s) in enumerate(LUCKY_DRAW_ODDS)
        ],
        ignore_conflicts=True,
    )


async def seed_demo_points(now: datetime) -> None:
    """18600000001 also has points from last year, which expire at the end of this one."""
    subscriber = await Subscriber.get_or_none(msisdn="18600000001")
    if subscriber is None:
        return
    async with in_transaction() as conn:
        await points_repo.adjust(
            conn,
            subscriber.id,
            f"SEED:{subscriber.id}:welcome",
            4_800,
            now - timedelta(days=366),
            "入网周年积分赠送",
            "seed",
        )
