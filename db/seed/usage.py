"""Demo history for a fresh `make run`: six months of usage (seven cycles), bills and recharges
for the demo subscribers, rated and billed by the real code paths (so every figure is derived),
plus a few prepaid recharge cards. Deterministic per number; a few thousand records in all.

The history is replayed oldest month first: that month's recharges, its usage (rated in one batch
per month), then its billing run on the 3rd of the next month (days 1–2 stay PENDING, as in
production, so a cycle that ended less than two days ago is left for the run). An OPENING ledger
entry is written first and adjusted at the end so the balance lands on the demo's figure."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.billing import Bill
from db.models.ledger import BalanceEntry
from db.models.orders import Order
from db.models.payments import AutoRecharge, Payment, RechargeCard
from db.models.usage import AllowanceBucket
from db.repositories import balances
from db.repositories import payments as payment_repo
from db.repositories.billing import issue_bill
from db.repositories.rating import rate_batch
from domain.allowances import KB_PER_MB, AllowanceKind
from domain.billing import PENDING_DAYS, previous_cycles, seed_close_due
from domain.calendar import SHANGHAI, cycle_bounds
from domain.orders import OrderKind, OrderStatus
from domain.payments import PaymentMethod, PaymentTrigger, hash_card_pin
from domain.pricing import Channel
from domain.rating import DataCategory, Direction, UsageEvent, UsageKind
from domain.usage import IncomingEvent, fingerprint

# serial, PIN, face value (fen). Single use: each works once per database.
DEMO_CARDS = [
    ("TH-CARD-0001", "1000200030004000501", 3_000),
    ("TH-CARD-0002", "1000200030004000502", 5_000),
    ("TH-CARD-0003", "1000200030004000503", 10_000),
    ("TH-CARD-0004", "1000200030004000504", 10_000),
    ("TH-CARD-0005", "1000200030004000505", 30_000),
]

# msisdn: (data MB a month, outgoing calls, SMS, value-added services, recharges (fen))
PROFILES = {
    "18600000001": (850, 45, 12, [("手机报", 300)], [10_000, 5_000]),
    "18600000002": (470, 30, 20, [("视频彩铃", 600)], [5_000, 3_000]),
    "18600000003": (700, 55, 8, [("手机报", 300), ("云盘会员", 1_000)], [3_000]),
}
CONTACTS = ["13800138000", "13912345678", "15011112222", "18611110001", "13600006666", "10086"]
HOUR_WEIGHTS = [1, 1, 0, 0, 0, 0, 1, 3, 5, 4, 3, 3, 5, 4, 3, 3, 3, 4, 5, 7, 8, 8, 6, 3]
CATEGORY_WEIGHTS = {
    DataCategory.VIDEO: 35,
    DataCategory.SOCIAL: 25,
    DataCategory.MUSIC: 8,
    DataCategory.BROWSING: 12,
    DataCategory.SHOPPING: 8,
    DataCategory.GAME: 6,
    DataCategory.NAVIGATION: 4,
    DataCategory.OTHER: 2,
}


async def seed_cards(now: datetime) -> None:
    for serial, pin, face in DEMO_CARDS:
        if not await RechargeCard.exists(serial=serial):
            await payment_repo.add_card(serial, hash_card_pin(pin), face, now + timedelta(days=730))


def _instant(rng: random.Random, start: datetime, stop: datetime) -> datetime | None:
    days = max((stop - start).days + 1, 1)
    for _ in range(10):
        day = start.astimezone(SHANGHAI) + timedelta(days=rng.randrange(days))
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        at = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
        if start <= at < stop:
            return at
    return None


def _events(msisdn: str, cycle: str, start: datetime, stop: datetime, rng: random.Random):
    data_mb, calls, sms, services, _ = PROFILES[msisdn]
    share = min(max((stop - start) / (cycle_bounds(cycle)[1] - start), 0), 1)
    events: list[UsageEvent] = []
    n = 0

    def add(kind: UsageKind, at: datetime | None, **fields) -> None:
        nonlocal n
        if at is None:
            return
        n += 1
        events.append(UsageEvent(f"demo-{msisdn}-{cycle}-{n}", kind, at, **fields))

    for _ in range(int(calls * share)):
        direction = Direction.OUT if rng.random() < 0.6 else Direction.IN
        seconds = int(min(rng.lognormvariate(4.3, 1.0), 3600))
        add(
            UsageKind.VOICE,
            _instant(rng, start, stop),
            direction=direction,
            seconds=seconds,
            counterparty=rng.choice(CONTACTS),
            location="北京",
        )
    for _ in range(int(sms * share)):
        add(
            UsageKind.SMS,
            _instant(rng, start, stop),
            direction=Direction.OUT if rng.random() < 0.5 else Direction.IN,
            count=1 if rng.random() < 0.85 else 2,
            counterparty=rng.choice(CONTACTS),
        )
    if share > 0.5:
        add(
            UsageKind.MMS,
            _instant(rng, start, stop),
            count=1,
            counterparty=rng.choice(CONTACTS),
        )
    sessions = max(int(30 * 3 * share), 1)
    mean_kb = data_mb * KB_PER_MB / 90
    categories, weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
    for _ in range(sessions):
        kb = rng.expovariate(1 / mean_kb)
        add(
            UsageKind.DATA,
            _instant(rng, start, stop),
            bytes=int(kb * 1024) + rng.randrange(1024),
            category=rng.choices(categories, weights)[0],
        )
    for _ in range(rng.randrange(0, 3)):
        add(
            UsageKind.WLAN,
            _instant(rng, start, stop),
            seconds=rng.randrange(300, 3600),
            bytes=rng.randrange(20, 200) * 1024 * 1024,
            location="CMCC-首都机场",
        )
    first_day = start + timedelta(hours=9)
    if first_day < stop:
        for name, fen in services:
            add(UsageKind.VALUE_ADDED, first_day, amount_fen=fen, service_name=name)
    return sorted(events, key=lambda e: e.occurred_at)


async def _recharge(subscriber: Subscriber, amount: int, at: datetime, n: int) -> None:
    method = [PaymentMethod.ALIPAY, PaymentMethod.WECHAT, PaymentMethod.BANK_CARD][n % 3]
    payment = await payment_repo.create(
        subscriber=subscriber,
        payer_scope=f"sub:{subscriber.id}",
        key=f"demo-recharge-{n}",
        fingerprint=f"demo-{n}",
        amount_fen=amount,
        payable_fen=amount,
        method=method,
        channel=Channel.APP if n % 2 else Channel.WEB,
        trigger=PaymentTrigger.MANUAL,
        now=at - timedelta(minutes=1),
    )
    await payment_repo.settle_paid(str(payment.id), f"DEMO{subscriber.msisdn}{n:04d}", at=at)


async def _pack(subscriber: Subscriber, cycle: str, rng: random.Random) -> None:
    """One month-end data pack (as the catalog sells them), so bills show a PACK line."""
    start, end = cycle_bounds(cycle)
    at = start + timedelta(days=14, hours=rng.randrange(8, 22))
    order = await Order.create(
        subscriber_id=subscriber.id,
        kind=OrderKind.PACK_PURCHASE,
        status=OrderStatus.COMPLETED,
        idempotency_key=f"demo-pack-{cycle}",
        list_price_fen=1_000,
        final_price_fen=800,
        pricing={
            "lines": [{"name": "月末流量包 1GB", "list_price_fen": 1_000, "final_price_fen": 800}]
        },
        details={"name": "月末流量包 1GB", "fingerprint": f"demo-pack-{cycle}"},
        effective_from=at,
        created_at=at,
    )
    await AllowanceBucket.create(
        subscriber_id=subscriber.id,
        kind=AllowanceKind.DATA,
        total=1024 * KB_PER_MB,
        source="PACK",
        source_id=str(order.id),
        source_name="月末流量包 1GB",
        valid_from=at,
        valid_until=end,
        grant=f"ORDER:{order.id}",
    )
    async with in_transaction() as conn:
        await balances.debit(
            conn, subscriber.id, 800, "PACK_PURCHASE", str(order.id), allow_overdraft=True, at=at
        )


async def seed_history(subscriber: Subscriber, now: datetime) -> None:
    rng = random.Random(subscriber.msisdn)
    target_balance, target_status = subscriber.balance_fen, subscriber.status
    # 7 cycles: the 6 ended ones that me.bills(last: 6) shows, and the current one.
    cycles = list(reversed(previous_cycles(now, 7, include_current=True)))
    opening_at = cycle_bounds(cycles[0])[0] - timedelta(hours=1)
    await Subscriber.filter(id=subscriber.id).update(balance_fen=0)
    opening = await BalanceEntry.create(
        subscriber_id=subscriber.id,
        delta_fen=0,
        balance_after_fen=0,
        reason="OPENING",
        ref="balance brought forward",
        created_at=opening_at,
    )
    recharges = PROFILES[subscriber.msisdn][4]
    n = 0
    for cycle in cycles:
        start, end = cycle_bounds(cycle)
        stop = min(end, now)
        for amount in recharges:
            at = _instant(rng, start + timedelta(days=PENDING_DAYS), stop)
            if at is not None:
                n += 1
                await _recharge(subscriber, amount, at, n)
        if subscriber.msisdn == "18600000002" and cycle == cycles[-3]:
            await _pack(subscriber, cycle, rng)
        events = _events(subscriber.msisdn, cycle, start, stop, rng)
        if events:
            incoming = [
                (i, IncomingEvent(subscriber.msisdn, e, fingerprint(subscriber.msisdn, e)))
                for i, e in enumerate(events)
            ]
            fresh = await Subscriber.get(id=subscriber.id)
            await rate_batch(fresh, incoming, at=min(stop, now) - timedelta(seconds=1))
        if seed_close_due(cycle, now):
            fresh = await Subscriber.get(id=subscriber.id)
            await issue_bill(fresh, cycle, at=end + timedelta(days=PENDING_DAYS, hours=1))
    current = await Subscriber.get(id=subscriber.id)
    delta = target_balance - current.balance_fen
    await BalanceEntry.filter(id=opening.id).update(delta_fen=delta, balance_after_fen=delta)
    await BalanceEntry.filter(subscriber_id=subscriber.id, id__gt=opening.id).update(
        balance_after_fen=F("balance_after_fen") + delta
    )
    await Bill.filter(subscriber_id=subscriber.id).update(
        balance_after_fen=F("balance_after_fen") + delta
    )
    await Subscriber.filter(id=subscriber.id).update(
        balance_fen=target_balance, status=target_status
    )


async def seed_usage(now: datetime) -> None:
    await seed_cards(now)
    for msisdn in PROFILES:
        subscriber = await Subscriber.get_or_none(msisdn=msisdn)
        if subscriber is None or await Payment.exists(subscriber_id=subscriber.id):
            continue
        await seed_history(subscriber, now)
    first = await Subscriber.get_or_none(msisdn="18600000001")
    if first is not None and not await AutoRecharge.exists(subscriber_id=first.id):
        await AutoRecharge.create(
            subscriber_id=first.id,
            enabled=True,
            threshold_fen=2_000,
            amount_fen=5_000,
            method=PaymentMethod.ALIPAY,
        )
