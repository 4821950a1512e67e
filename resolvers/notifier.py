"""The one pipe for the notices the hall sends on its own (the SmsGateway port every use case
calls as `services.sms.send`): each goes into the SMS outbox for the sender, and, when the
number is a subscriber's, into their app inbox and out on the live push. How it travels is
`domain.notify.notice_class` of its kind: codes and passwords by SMS only, at once;
confirmations and security notices to the inbox and by SMS at once; points reminders deferred
past quiet hours and a full day's cap (when due, the inbox-push job publishes them and the
sender sends their SMS).
Marketing pushes come through the fan-out, which writes the same rows in bulk."""

from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import nullcontext
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.engage import InboxNotification
from db.repositories import inbox_rows, outbox
from db.stores import Stores
from domain.calendar import as_utc
from domain.clock import Clock
from domain.notify import (
    CAPPED_TOPICS,
    MAX_DEFER_DAYS,
    NoticeClass,
    inbox_topic,
    notice_class,
    notice_title,
    remind_at,
    shanghai_day_bounds,
)
from resolvers.context import HallSettings
from resolvers.interests import quiet_hours_of

logger = logging.getLogger("telehall.notify")


class Notifier:
    def __init__(self, clock: Clock, settings: HallSettings, stores: Stores) -> None:
        self.clock, self.settings, self.stores = clock, settings, stores

    async def send(
        self,
        msisdn: str,
        kind: str,
        text: str,
        *,
        at: datetime | None = None,
        using_db: BaseDBAsyncClient | None = None,
        subscriber_id: int | None = None,
    ) -> None:
        """`at`: when it is sent by the hall's reckoning (a job's slot), else the clock's now.
        `using_db`: the caller's open transaction, which the notice joins. `subscriber_id`: the
        owner of `msisdn` when the caller knows it (a hot path spares the look-up)."""
        now = as_utc(at or self.clock.now())
        cls = notice_class(kind)
        if cls is NoticeClass.CODE:
            subscriber_id = None
        elif subscriber_id is None:
            found = (
                await Subscriber.filter(msisdn=msisdn)
                .using_db(using_db)
                .limit(1)
                .values_list("id", flat=True)
            )
            subscriber_id = found[0] if found else None
        if subscriber_id is None:  # a code, or a number that is nobody's line here yet
            await outbox.queue(msisdn, kind, text, now, using_db=using_db)
            return
        deliver_at = now
        if cls is NoticeClass.REMINDER:
            deliver_at = remind_at(
                await quiet_hours_of(subscriber_id),
                now,
                await self._capped_by_day(subscriber_id, now),
                self.settings.notify_daily_cap,
            )
        async with nullcontext(using_db) if using_db else in_transaction() as conn:
            sms = await outbox.queue(
                msisdn, kind, text, now, deliver_at if deliver_at > now else None, conn
            )
            notice = await InboxNotification.create(
                subscriber_id=subscriber_id,
                topic=inbox_topic(kind).value,
                source=f"SMS:{sms.id}",
                title=notice_title(kind),
                body=text,
                created_at=now,
                deliver_at=deliver_at,
                sms=True,
                using_db=conn,
            )
        # Inside the caller's transaction the row is not committed yet (and may never be): a
        # push now could announce a notice that does not exist. The inbox-push job publishes it.
        if deliver_at <= now and using_db is None:
            await self._push(notice.id, subscriber_id, now)

    async def _capped_by_day(self, subscriber_id: int, now: datetime) -> dict[datetime, int]:
        start = shanghai_day_bounds(now)[0]
        counts: dict[datetime, int] = defaultdict(int)
        for at in await InboxNotification.filter(
            subscriber_id=subscriber_id,
            topic__in=CAPPED_TOPICS,
            deliver_at__gte=start,
            deliver_at__lt=start + timedelta(days=MAX_DEFER_DAYS + 1),
        ).values_list("deliver_at", flat=True):
            counts[shanghai_day_bounds(at)[0]] += 1
        return counts

    async def _push(self, notice_id: int, subscriber_id: int, now: datetime) -> None:
        """Live at once. The notice is written and its SMS queued whatever happens here: with
        Redis away it stays unpublished and the inbox-push job publishes it later."""
        claimed = await InboxNotification.filter(id=notice_id, pushed_at__isnull=True).update(
            pushed_at=now
        )
        if not claimed:
            return
        try:
            await self.stores.inbox_push.publish_many([(notice_id, subscriber_id)])
        except Exception:
            logger.warning("live push of notice %s failed, left for inbox-push", notice_id)
            await inbox_rows.unclaim([notice_id])
