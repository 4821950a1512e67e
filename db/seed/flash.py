"""Devices of the hall's catalog and the demo flash sales (relative to the seed's `now`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.models.flash import Device, FlashSale
from domain.flash.model import ItemKind

DEVICES = [
    # id, brand, model, 5G, list price fen, stock, accessory
    ("DEV-HW-MATE60P", "华为", "Mate 60 Pro 12GB+512GB", True, 699_900, 500, False),
    ("DEV-XM-14", "小米", "Xiaomi 14 16GB+512GB", True, 499_900, 800, False),
    ("DEV-APL-IP15", "Apple", "iPhone 15 128GB", True, 599_900, 300, False),
    ("DEV-OPPO-A2X", "OPPO", "A2x 4G 6GB+128GB", False, 99_900, 1_000, False),
    ("DEV-HW-FB5", "华为", "FreeBuds 5i 无线耳机", False, 49_900, 2_000, True),
]
DEMO_SALES = ("fs-demo-517-phone", "fs-demo-now-ice")


async def seed_flash(now: datetime) -> None:
    for sort, (did, brand, model, is_5g, price, stock, accessory) in enumerate(DEVICES):
        await Device.update_or_create(
            id=did,
            defaults={
                "brand": brand, "model": model, "is_5g": is_5g, "list_price_fen": price,
                "stock": stock, "accessory": accessory, "sort_order": sort,
                "images": [f"/static/devices/{did.lower()}-{i}.jpg" for i in (1, 2)],
            },
        )  # fmt: skip
    if await FlashSale.exists(id__in=DEMO_SALES):
        return
    tomorrow_10 = (now + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    await FlashSale.create(
        id=DEMO_SALES[0], name="517 秒杀：小米14 ¥2999", item_kind=ItemKind.DEVICE,
        item_id="DEV-XM-14", sale_price_fen=299_900, units_total=500, per_subscriber_limit=1,
        starts_at=tomorrow_10, ends_at=tomorrow_10 + timedelta(hours=2), pay_within_seconds=900,
        booking_opens_at=now, priority_minutes=10, created_by="seed", updated_by="seed",
    )  # fmt: skip
    await FlashSale.create(
        id=DEMO_SALES[1], name="冰激凌套餐秒杀：首月¥99", item_kind=ItemKind.PLAN,
        item_id="ICE-398", sale_price_fen=9_900, units_total=1_000, per_subscriber_limit=1,
        starts_at=now, ends_at=now + timedelta(days=3), pay_within_seconds=900,
        created_by="seed", updated_by="seed",
    )  # fmt: skip
