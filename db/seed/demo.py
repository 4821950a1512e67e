"""Demo data for a fresh `make run`: three subscribers and two staff users."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.models.accounts import StaffUser, Subscriber
from db.seed.catalog import seed_catalog
from db.seed.flash import seed_flash
from db.seed.kb import seed_kb
from db.seed.numbers import DEMO_POOL, seed_numbers
from db.seed.points import seed_demo_points, seed_lucky_draw, seed_mall
from db.seed.promotions import seed_promotions
from db.seed.usage import DEMO_CARDS, seed_usage
from domain.accounts import StaffRole, SubscriberStatus
from domain.hashing import SecretHasher

DEMO_SUBSCRIBERS = [
    # msisdn, status, service password, initial?, plan, balance fen, real name
    ("18600000001", SubscriberStatus.ACTIVE, "Telehall#2026", False, "4G-136", 12_850, "张三"),
    ("18600000002", SubscriberStatus.ACTIVE, "135790", True, "4G-76", 3_000, "李四"),
    ("18600000003", SubscriberStatus.SUSPENDED, "Telehall#2026", False, "4G-106", -1_520, "王五"),
]
DEMO_STAFF = [
    ("marketing", "Marketing#2026", StaffRole.MARKETING),
    ("operator", "Operator#2026", StaffRole.OPERATOR),
    ("agent", "Agent#2026", StaffRole.AGENT),
]

DEMO_TEXT = """Demo accounts:
  18600000001  ACTIVE     service password Telehall#2026
  18600000002  ACTIVE     on initial password 135790 (change it before logging in)
  18600000003  SUSPENDED  service password Telehall#2026 (in arrears)
  staff marketing / Marketing#2026 (MARKETING), operator / Operator#2026 (OPERATOR)
  6 months of usage, bills and recharges each; 18600000001 has auto-recharge (below ¥20, ¥50)
  prepaid recharge cards (CARD_PIN, single use): """ + ", ".join(
    f"{pin} ¥{face // 100}" for _, pin, face in DEMO_CARDS
)


async def seed_demo(hasher: SecretHasher, now: datetime) -> bool:
    """Seed once; returns False when the demo data is already there."""
    await seed_catalog()
    await seed_promotions(now)
    await seed_flash(now)
    await seed_mall(now)
    await seed_lucky_draw()
    await seed_kb(now)
    if await StaffUser.exists(username="operator"):
        return False
    for i, (msisdn, status, password, initial, plan, balance, name) in enumerate(DEMO_SUBSCRIBERS):
        await Subscriber.create(
            msisdn=msisdn,
            status=status,
            real_name_verified=True,
            real_name=name,
            region="BJ",
            plan_id=plan,
            balance_fen=balance,
            credit_limit_fen=5_000 if i == 0 else 0,
            joined_at=now - timedelta(days=365 * (3 - i)),
            puk=f"{12345678 + i:08d}",
            service_password_hash=hasher.hash(password),
            on_initial_password=initial,
            device_5g=i == 0,
            device_id="DEV-HW-MATE60P" if i == 0 else None,
        )
    for username, password, role in DEMO_STAFF:
        await StaffUser.create(username=username, password_hash=hasher.hash(password), role=role)
    await seed_usage(now)
    await seed_numbers(DEMO_POOL)
    await seed_demo_points(now)
    return True
