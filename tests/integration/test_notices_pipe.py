"""Points reminders and business notices go through the notification pipe (resolvers/notifier.py):
each lands in the inbox and goes out live and by SMS through the outbox sender. A reminder obeys
quiet hours and the daily cap (deferred, never dropped); a confirmation or a login code does
not wait for either."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from db.models.accounts import Notification
from db.models.engage import InboxNotification
from db.repositories import points as points_repo
from domain.calendar import SHANGHAI, as_utc
from domain.points.ledger import lot_expires_at
from domain.sessions import Scope
from resolvers import sms_sender
from resolvers.inbox_push import hub, publish_due
from resolvers.notifier import Notifier
from resolvers.points.jobs import send_expiry_reminders
from tests.api.auth_helpers import SEND
from tests.api.order_helpers import PACK_PURCHASE, new_key
from tests.conftest import subscribe

INBOX = """{ me { notifications(first: 20) { nodes { id topic title body sms } } } }"""


def shanghai(day: datetime, hour: int, minute: int = 0) -> datetime:
    local = day.astimezone(SHANGHAI)
    return as_utc(datetime(local.year, local.month, local.day, hour, minute, tzinfo=SHANGHAI))


async def drain_until_sent(services, sms_id: int, due: datetime) -> None:
    """Send from `due` on. The simulated SMS centre fails a try now and then (5%, as a real one
    is busy for a moment), and the sender retries after its backoff: a few rounds half a minute
    apart, well inside a login code's life."""
    for step in range(6):
        await sms_sender.drain(sender(services), due + timedelta(seconds=30 * step), 50)
        if (await Notification.get(id=sms_id)).sent_at is not None:
            return
    raise AssertionError(f"SMS {sms_id} was not sent within 3 minutes of {due}")


def sender(services):
    """The SMS sender with room for the whole session's backlog in a few rounds."""
    wide = services.settings.model_copy(update={"sms_batch": 1000, "sms_concurrency": 200})
    return dataclasses.replace(services, settings=wide)


async def inbox_of(api, services, sub) -> list[dict]:
    token = (await services.stores.sessions.create(Scope.FULL, sub.id, sub.msisdn)).token
    return (await api.as_(token).data(INBOX))["me"]["notifications"]["nodes"]


@pytest.mark.calendar
async def test_a_points_reminder_at_23_shanghai_waits_until_08_then_arrives(api, services, clock):
    sub = await subscribe(services)
    async with in_transaction() as conn:
        await points_repo.earn(conn, sub.id, f"PIPE:{sub.id}", 300, clock.now())
    expiry = lot_expires_at(clock.now())  # 00:00 Shanghai: 30 days before is a midnight too
    late = shanghai(expiry - timedelta(days=30), 23)
    morning = shanghai(late + timedelta(days=1), 8)
    clock.set(late)

    assert await send_expiry_reminders(services, late) >= 1
    (notice,) = await InboxNotification.filter(subscriber_id=sub.id, topic="POINTS")
    assert notice.deliver_at == morning and notice.title == "积分即将到期"
    (sms,) = await Notification.filter(msisdn=sub.msisdn, kind="POINTS_EXPIRING")
    assert sms.next_attempt_at == morning and "300积分" in sms.text
    assert not [n for n in await inbox_of(api, services, sub) if n["topic"] == "POINTS"]
    await publish_due(services, late)
    await sms_sender.drain(sender(services), late, max_rounds=50)
    assert (await InboxNotification.get(id=notice.id)).pushed_at is None
    assert (await Notification.get(id=sms.id)).sent_at is None

    clock.set(morning)
    assert await publish_due(services, morning) >= 1
    assert (await InboxNotification.get(id=notice.id)).pushed_at == morning
    shown = [n for n in await inbox_of(api, services, sub) if n["topic"] == "POINTS"]
    assert [n["id"] for n in shown] == [str(notice.id)] and shown[0]["sms"] is True
    await drain_until_sent(services, sms.id, morning)


@pytest.mark.calendar
async def test_a_reminder_on_a_full_day_moves_to_the_next_not_away(services, clock):
    sub = await subscribe(services)
    notifier = Notifier(
        clock, services.settings.model_copy(update={"notify_daily_cap": 2}), services.stores
    )
    noon = shanghai(clock.now() + timedelta(days=2), 12)
    clock.set(noon)
    for n, topic in enumerate(("FLASH_SALES", "POINTS", "ACCOUNT")):  # ACCOUNT is not capped
        await InboxNotification.create(
            subscriber_id=sub.id, topic=topic, source=f"PRIOR:{sub.id}:{n}", title="早先",
            body="…", created_at=noon, deliver_at=noon - timedelta(hours=n + 1),
        )  # fmt: skip
    await notifier.send(sub.msisdn, "POINTS_EXPIRING", "您有100积分即将到期。")
    (notice,) = await InboxNotification.filter(
        subscriber_id=sub.id, topic="POINTS", source__startswith="SMS:"
    )
    assert notice.deliver_at == shanghai(noon + timedelta(days=1), 8)
    sms = await Notification.get(id=int(notice.source.removeprefix("SMS:")))
    assert sms.next_attempt_at == notice.deliver_at and sms.kind == "POINTS_EXPIRING"


@pytest.mark.calendar
async def test_a_pack_bought_at_23_30_is_confirmed_at_once_in_the_inbox_live_and_by_sms(
    api, services, clock
):
    late = shanghai(clock.now() + timedelta(days=1), 23, 30)
    clock.set(late)
    sub = await subscribe(services)
    before = set(await InboxNotification.filter(subscriber_id=sub.id).values_list("id", flat=True))
    live = hub(services).watch(sub.id)
    first = asyncio.ensure_future(anext(live))
    await hub(services).until_listening(sub.id)
    try:
        out = await api.as_(sub.token).data(PACK_PURCHASE, pack="ADD-7D-1G", key=new_key())
        assert out["packPurchase"]["userErrors"] == []
        (notice,) = await InboxNotification.filter(subscriber_id=sub.id).exclude(id__in=before)
        assert (notice.topic, notice.title, notice.deliver_at) == ("ACCOUNT", "业务办理", late)
        assert (
            await asyncio.wait_for(first, 5) == notice.id
        )  # pushed live, not held for quiet hours
    finally:
        await live.aclose()
    sms = await Notification.get(id=int(notice.source.removeprefix("SMS:")))
    assert (sms.kind, sms.text, sms.next_attempt_at) == ("ORDER_PACK_PURCHASE", notice.body, None)
    shown = await inbox_of(api, services, sub)
    assert shown[0]["id"] == str(notice.id) and shown[0]["body"] == sms.text
    await drain_until_sent(services, sms.id, late)


@pytest.mark.calendar
async def test_a_login_code_is_never_held_by_quiet_hours_nor_kept_in_the_inbox(
    api, services, clock
):
    late = shanghai(clock.now() + timedelta(days=1), 23, 45)
    clock.set(late)
    sub = await subscribe(services)
    sent = (await api.data(SEND, m=sub.msisdn, p="LOGIN"))["smsCodeSend"]
    assert sent["userErrors"] == []
    (code,) = await Notification.filter(msisdn=sub.msisdn, kind="SMS_LOGIN")
    assert code.next_attempt_at is None and code.priority == 0
    assert not await InboxNotification.filter(subscriber_id=sub.id, body=code.text).exists()
    await drain_until_sent(services, code.id, late)  # a code is never held: sent at once


async def test_a_notice_holding_a_password_goes_by_sms_only(services, clock):
    """A LIMITED session may read the inbox: a reset WLAN password or a new number's initial
    service password must not be there."""
    sub = await subscribe(services)
    for kind in ("ORDER_WLAN_PASSWORD", "NUMBER_PAID"):
        text = f"{kind}: 您的密码为Tele#8642"
        await services.sms.send(sub.msisdn, kind, text)
        assert await Notification.filter(msisdn=sub.msisdn, kind=kind, text=text).exists()
    assert not await InboxNotification.filter(subscriber_id=sub.id, body__contains="Tele#8642")
