"""Seed catalog: the 4G national plans (4G全国套餐)."""

from __future__ import annotations

from db.models.catalog import Plan

# id, name, fee (fen), voice minutes, data MB, SMS
PLANS_4G = [
    ("4G-76", "4G全国套餐 76元", 7600, 200, 400, 0),
    ("4G-106", "4G全国套餐 106元", 10600, 300, 800, 0),
    ("4G-136", "4G全国套餐 136元", 13600, 500, 1024, 0),
    ("4G-166", "4G全国套餐 166元", 16600, 500, 2048, 0),
    ("4G-196", "4G全国套餐 196元", 19600, 500, 3072, 0),
    ("4G-296", "4G全国套餐 296元", 29600, 1000, 4096, 0),
    ("4G-396", "4G全国套餐 396元", 39600, 2000, 6144, 0),
    ("4G-596", "4G全国套餐 596元", 59600, 3000, 11264, 0),
]


async def seed_plans() -> None:
    for order, (plan_id, name, fee, voice, data, sms) in enumerate(PLANS_4G):
        await Plan.update_or_create(
            id=plan_id,
            defaults={
                "name": name,
                "monthly_fee_fen": fee,
                "voice_minutes": voice,
                "data_mb": data,
                "sms_count": sms,
                "sort_order": order,
            },
        )
