"""Seed catalog (DESIGN §4): the 4G national plans (4G全国套餐), the ice-cream unlimited plan, the
5G plans, the packs of the 4G national combo (4G全国组合), add-on packs and roaming destinations.

Seeding is an upsert by id: running it again refreshes prices and names and never duplicates.
"""

from __future__ import annotations

from db.models.catalog import AddOn, Pack, Plan, RoamingDestination
from domain.catalog import AddOnKind, PackKind, PlanKind, ValidityKind

GB = 1024

# id, name, fee (fen), voice minutes, data MB, SMS
PLANS_4G = [
    ("4G-76", "4G全国套餐 76元", 7600, 200, 400, 0),
    ("4G-106", "4G全国套餐 106元", 10600, 300, 800, 0),
    ("4G-136", "4G全国套餐 136元", 13600, 500, 1 * GB, 0),
    ("4G-166", "4G全国套餐 166元", 16600, 500, 2 * GB, 0),
    ("4G-196", "4G全国套餐 196元", 19600, 500, 3 * GB, 0),
    ("4G-296", "4G全国套餐 296元", 29600, 1000, 4 * GB, 0),
    ("4G-396", "4G全国套餐 396元", 39600, 2000, 6 * GB, 0),
    ("4G-596", "4G全国套餐 596元", 59600, 3000, 11 * GB, 0),
]

# The ice-cream plan: unlimited data, full speed for the first 40GB of a month, then 1Mbps.
ICE_CREAM = ("ICE-398", "冰激凌套餐 398元", 39800, 3000, 40 * GB, 0, 40 * GB, 1024)

# 5G plans need a 5G device on record.
PLANS_5G = [
    ("5G-128", "5G智享套餐 128元", 12800, 500, 30 * GB, 0),
    ("5G-198", "5G智享套餐 198元", 19800, 1000, 60 * GB, 0),
    ("5G-298", "5G智享套餐 298元", 29800, 1500, 100 * GB, 0),
    ("5G-598", "5G智享套餐 598元", 59800, 3000, 300 * GB, 0),
]

# The 4G shared plan (kind SHARED): the main number's data and voice, shared with up to 4 members.
SHARED_PLAN = ("SHARED-188", "4G共享套餐 188元", 18800, 1000, 20 * GB, 0)

# id, kind, name, amount (MB / minutes / messages / 0), monthly price (fen), description
PACKS = [
    ("DATA-100M", PackKind.DATA, "流量包 100MB", 100, 800, ""),
    ("DATA-300M", PackKind.DATA, "流量包 300MB", 300, 1600, ""),
    ("DATA-500M", PackKind.DATA, "流量包 500MB", 500, 2400, ""),
    ("DATA-1G", PackKind.DATA, "流量包 1GB", 1 * GB, 4800, ""),
    ("DATA-2G", PackKind.DATA, "流量包 2GB", 2 * GB, 7200, ""),
    ("DATA-3G", PackKind.DATA, "流量包 3GB", 3 * GB, 9600, ""),
    ("DATA-4G", PackKind.DATA, "流量包 4GB", 4 * GB, 12000, ""),
    ("DATA-6G", PackKind.DATA, "流量包 6GB", 6 * GB, 15200, ""),
    ("DATA-11G", PackKind.DATA, "流量包 11GB", 11 * GB, 23200, ""),
    ("VOICE-200", PackKind.VOICE, "语音包 200分钟", 200, 3200, "国内主叫"),
    ("VOICE-300", PackKind.VOICE, "语音包 300分钟", 300, 4000, "国内主叫"),
    ("VOICE-500", PackKind.VOICE, "语音包 500分钟", 500, 5600, "国内主叫"),
    ("VOICE-1000", PackKind.VOICE, "语音包 1000分钟", 1000, 11200, "国内主叫"),
    ("VOICE-2000", PackKind.VOICE, "语音包 2000分钟", 2000, 16000, "国内主叫"),
    ("VOICE-3000", PackKind.VOICE, "语音包 3000分钟", 3000, 24000, "国内主叫"),
    ("SMS-200", PackKind.SMS, "短信包 200条", 200, 1000, "国内点对点短信"),
    ("SMS-400", PackKind.SMS, "短信包 400条", 400, 2000, "国内点对点短信"),
    ("SMS-600", PackKind.SMS, "短信包 600条", 600, 3000, "国内点对点短信"),
    ("VAS-CALLER-ID", PackKind.VAS, "来电显示", 0, 500, ""),
    ("VAS-VIDEO-RBT", PackKind.VAS, "视频彩铃", 0, 600, "为来电者播放您选择的视频"),
    ("VAS-CLOUD", PackKind.VAS, "和彩云网盘 50GB", 0, 1000, "照片、通讯录自动备份"),
    ("VAS-MISSED-CALL", PackKind.VAS, "来电提醒", 0, 200, "关机或无信号时的来电短信提醒"),
]

# code, name, [(country code, name)]
DESTINATIONS = [
    ("HMT", "港澳台", [("HK", "中国香港"), ("MO", "中国澳门"), ("TW", "中国台湾")]),
    ("JPKR", "日韩", [("JP", "日本"), ("KR", "韩国")]),
    (
        "SEA",
        "东南亚",
        [
            ("TH", "泰国"),
            ("SG", "新加坡"),
            ("MY", "马来西亚"),
            ("VN", "越南"),
            ("ID", "印度尼西亚"),
        ],
    ),
    (
        "EU",
        "欧洲",
        [
            ("GB", "英国"),
            ("FR", "法国"),
            ("DE", "德国"),
            ("IT", "意大利"),
            ("ES", "西班牙"),
            ("NL", "荷兰"),
            ("CH", "瑞士"),
            ("AT", "奥地利"),
        ],
    ),
    ("NA", "北美", [("US", "美国"), ("CA", "加拿大")]),
    ("ANZ", "澳新", [("AU", "澳大利亚"), ("NZ", "新西兰")]),
]

# id, kind, name, price fen, data MB, voice min, validity kind, length, app, destination, desc
ADD_ONS = [
    ("ADD-7D-1G", AddOnKind.SEVEN_DAY_DATA, "7天流量包 1GB", 1000, 1 * GB, 0,
     ValidityKind.DAYS, 7, None, None, "订购即生效，7天内有效"),
    ("ADD-7D-3G", AddOnKind.SEVEN_DAY_DATA, "7天流量包 3GB", 2000, 3 * GB, 0,
     ValidityKind.DAYS, 7, None, None, "订购即生效，7天内有效"),
    ("ADD-ME-1G", AddOnKind.MONTH_END_DATA, "月末流量包 1GB", 500, 1 * GB, 0,
     ValidityKind.MONTH_END, 0, None, None, "订购即生效，当月月底失效"),
    ("ADD-ME-3G", AddOnKind.MONTH_END_DATA, "月末流量包 3GB", 1000, 3 * GB, 0,
     ValidityKind.MONTH_END, 0, None, None, "订购即生效，当月月底失效"),
    ("ADD-HY-6G", AddOnKind.HALF_YEAR_DATA, "半年流量包 6GB", 5000, 6 * GB, 0,
     ValidityKind.MONTHS, 6, None, None, "6个月有效；再次订购流量累加，有效期顺延至6个月"),
    ("ADD-HY-12G", AddOnKind.HALF_YEAR_DATA, "半年流量包 12GB", 9000, 12 * GB, 0,
     ValidityKind.MONTHS, 6, None, None, "6个月有效；再次订购流量累加，有效期顺延至6个月"),
    ("ADD-DIR-IQIYI", AddOnKind.DIRECTIONAL_VIDEO, "爱奇艺定向流量包", 2000, 30 * GB, 0,
     ValidityKind.DAYS, 30, "爱奇艺", None, "仅限爱奇艺App内视频流量"),
    ("ADD-DIR-TENCENT", AddOnKind.DIRECTIONAL_VIDEO, "腾讯视频定向流量包", 2000, 30 * GB, 0,
     ValidityKind.DAYS, 30, "腾讯视频", None, "仅限腾讯视频App内视频流量"),
    ("ADD-DIR-YOUKU", AddOnKind.DIRECTIONAL_VIDEO, "优酷定向流量包", 1800, 30 * GB, 0,
     ValidityKind.DAYS, 30, "优酷", None, "仅限优酷App内视频流量"),
    ("ADD-DIR-MIGU", AddOnKind.DIRECTIONAL_VIDEO, "咪咕视频定向流量包", 1500, 30 * GB, 0,
     ValidityKind.DAYS, 30, "咪咕视频", None, "仅限咪咕视频App内视频流量"),
    ("ROAM-HMT-1D", AddOnKind.ROAMING, "港澳台 1天流量包", 2500, 1 * GB, 0,
     ValidityKind.DAYS, 1, None, "HMT", "当地网络，24小时有效"),
    ("ROAM-HMT-7D", AddOnKind.ROAMING, "港澳台 7天畅游包", 9800, 5 * GB, 100,
     ValidityKind.DAYS, 7, None, "HMT", "含当地及拨回内地通话100分钟"),
    ("ROAM-JPKR-1D", AddOnKind.ROAMING, "日韩 1天流量包", 3000, 1 * GB, 0,
     ValidityKind.DAYS, 1, None, "JPKR", "24小时有效"),
    ("ROAM-JPKR-7D", AddOnKind.ROAMING, "日韩 7天畅游包", 12800, 5 * GB, 100,
     ValidityKind.DAYS, 7, None, "JPKR", "含当地及拨回国内通话100分钟"),
    ("ROAM-SEA-1D", AddOnKind.ROAMING, "东南亚 1天流量包", 2500, 1 * GB, 0,
     ValidityKind.DAYS, 1, None, "SEA", "24小时有效"),
    ("ROAM-SEA-7D", AddOnKind.ROAMING, "东南亚 7天畅游包", 9800, 5 * GB, 60,
     ValidityKind.DAYS, 7, None, "SEA", "含当地及拨回国内通话60分钟"),
    ("ROAM-EU-1D", AddOnKind.ROAMING, "欧洲 1天流量包", 3500, 1 * GB, 0,
     ValidityKind.DAYS, 1, None, "EU", "24小时有效，覆盖欧洲多国"),
    ("ROAM-EU-7D", AddOnKind.ROAMING, "欧洲 7天畅游包", 16800, 5 * GB, 100,
     ValidityKind.DAYS, 7, None, "EU", "含当地及拨回国内通话100分钟"),
    ("ROAM-NA-1D", AddOnKind.ROAMING, "北美 1天流量包", 3500, 1 * GB, 0,
     ValidityKind.DAYS, 1, None, "NA", "24小时有效"),
    ("ROAM-ANZ-1D", AddOnKind.ROAMING, "澳新 1天流量包", 3500, 1 * GB, 0,
     ValidityKind.DAYS, 1, None, "ANZ", "24小时有效"),
]  # fmt: skip


async def seed_plans() -> None:
    order = 0
    for plan_id, name, fee, voice, data, sms in PLANS_4G:
        await _plan(plan_id, name, fee, voice, data, sms, order)
        order += 1
    plan_id, name, fee, voice, data, sms, cap_after, cap_kbps = ICE_CREAM
    await _plan(
        plan_id,
        name,
        fee,
        voice,
        data,
        sms,
        order,
        speed_cap_after_mb=cap_after,
        capped_speed_kbps=cap_kbps,
        description="国内流量不限量，当月超过40GB后限速至1Mbps",
    )
    order += 1
    for plan_id, name, fee, voice, data, sms in PLANS_5G:
        await _plan(plan_id, name, fee, voice, data, sms, order, requires_5g=True)
        order += 1
    plan_id, name, fee, voice, data, sms = SHARED_PLAN
    await _plan(
        plan_id,
        name,
        fee,
        voice,
        data,
        sms,
        order,
        description="流量和语音与最多4个副卡共享，账单由主卡支付",
    )
    await Plan.filter(id=plan_id).update(kind=PlanKind.SHARED)


async def _plan(
    plan_id: str,
    name: str,
    fee: int,
    voice: int,
    data: int,
    sms: int,
    order: int,
    **extra: object,
) -> None:
    await Plan.update_or_create(
        id=plan_id,
        defaults={
            "kind": PlanKind.PLAN,
            "name": name,
            "monthly_fee_fen": fee,
            "voice_minutes": voice,
            "data_mb": data,
            "sms_count": sms,
            "sort_order": order,
            "listed": True,
            **extra,
        },
    )


async def seed_packs() -> None:
    for order, (pack_id, kind, name, amount, price, description) in enumerate(PACKS):
        await Pack.update_or_create(
            id=pack_id,
            defaults={
                "kind": kind,
                "name": name,
                "amount": amount,
                "price_fen": price,
                "description": description,
                "sort_order": order,
            },
        )


# Roaming beyond a pack, per zone: data fen/MB, voice fen/minute, SMS fen/message.
ROAMING_RATES = {
    "HMT": (50, 99, 50),
    "JPKR": (80, 199, 100),
    "SEA": (80, 199, 100),
    "EU": (150, 299, 100),
}


async def seed_add_ons() -> None:
    for order, (code, name, countries) in enumerate(DESTINATIONS):
        data_fen, voice_fen, sms_fen = ROAMING_RATES.get(code, (300, 299, 100))
        await RoamingDestination.update_or_create(
            code=code,
            defaults={
                "name": name,
                "countries": [{"code": c, "name": n} for c, n in countries],
                "sort_order": order,
                "data_fen_per_mb": data_fen,
                "voice_fen_per_minute": voice_fen,
                "sms_fen_per_message": sms_fen,
            },
        )
    for order, row in enumerate(ADD_ONS):
        add_on_id, kind, name, price, data, voice, v_kind, v_len, app, dest, description = row
        await AddOn.update_or_create(
            id=add_on_id,
            defaults={
                "kind": kind,
                "name": name,
                "price_fen": price,
                "data_mb": data,
                "voice_minutes": voice,
                "validity_kind": v_kind,
                "validity_length": v_len,
                "app": app,
                "destination_id": dest,
                "description": description,
                "sort_order": order,
            },
        )


async def seed_catalog() -> None:
    await seed_plans()
    await seed_packs()
    await seed_add_ons()
