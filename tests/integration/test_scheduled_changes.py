"""apply_due_changes: exactly once, only when due, from the CLI as from a lazy read."""

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories.plan_changes import apply_due_changes
from domain.calendar import next_month_start
from domain.orders import OrderKind, OrderStatus
from tests.conftest import subscribe
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar


async def _scheduled(subscriber_id: int, plan_id: str, effective_from, key: str) -> Order:
    return await Order.create(
        subscriber_id=subscriber_id,
        kind=OrderKind.PLAN_CHANGE,
        status=OrderStatus.SCHEDULED,
        idempotency_key=key,
        details={"fingerprint": f"PLAN_CHANGE:{plan_id}", "plan_id": plan_id},
        effective_from=effective_from,
    )


async def test_only_due_changes_apply_and_each_once(services):
    now = hall_now()
    sub = await subscribe(services)
    order = await _scheduled(sub.id, "4G-296", next_month_start(now), "due-once")
    assert await apply_due_changes(now, sub.id) == 0
    due = next_month_start(now)
    results = await asyncio.gather(*(apply_due_changes(due, sub.id) for _ in range(5)))
    assert sum(results) == 1
    await order.refresh_from_db()
    assert order.status is OrderStatus.COMPLETED
    assert (await Subscriber.get(id=sub.id)).plan_id == "4G-296"
    assert await apply_due_changes(due + timedelta(days=40), sub.id) == 0


async def test_the_cli_applies_every_due_change(services, settings, tmp_path):
    past = hall_now() - timedelta(minutes=1)
    a, b = await subscribe(services), await subscribe(services)
    await _scheduled(a.id, "4G-76", past, "cli-a")
    await _scheduled(b.id, "4G-596", past, "cli-b")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {
        "TELEHALL_DATABASE_URL": settings.resolved_database_url,
        "TELEHALL_DATA_DIR": str(tmp_path),
        "TELEHALL_ENV": "test",
        "TELEHALL_CLOCK_START": hall_now().isoformat(),
    }
    done = subprocess.run(
        [sys.executable, "-m", "server", "changes", "apply"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "change(s) applied" in done.stdout
    assert (await Subscriber.get(id=a.id)).plan_id == "4G-76"
    assert (await Subscriber.get(id=b.id)).plan_id == "4G-596"
