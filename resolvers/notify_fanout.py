"""Fan-out of announcements to interested subscribers, by a background job in batches.

`announce_due` turns what went live since the last look (a published campaign whose window
opened, a flash sale on sale, a mall item on sale, a festival starting) into one `FanOut` row
each (unique by source, so announcing twice is harmless). `fan_out` walks each unfinished one
through the subscribers interested in its topic, `notify_batch` at a time, in subscriber-id
order (each batch is a few short queries and a bounded piece of Python, so requests served
on the same event loop wait at most that long): each batch, in one transaction, writes the
inbox rows (and SMS copies into the outbox, due after quiet hours) and moves the cursor, so a
retried job resumes after the last whole batch; its notices due now are published at once.
The decisions (interest, audience, quiet hours, daily cap) are `domain.notify`'s."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.engage import FanOut, InboxNotification, NotifyPreference, SubscriberInterest
from db.models.flash import FlashSale
from db.models.points import MallItem
from db.models.promotions import Campaign, Festival
from db.repositories.inbox_rows import NoticeRow, insert_notices, queue_sms_copies
from domain.accounts import SubscriberStatus
from domain.notify import (
    CAPPED_TOPICS,
    NotifyChannel,
    QuietHours,
    Topic,
    campaign_topic,
    decide_push,
    shanghai_day_bounds,
)
from domain.promotions.codec import campaign_from_dict
from domain.promotions.model import Audience
from resolvers.context import Services
from resolvers.inbox_push import publish_due
from resolvers.pricing import profile_from

LOOKBACK = timedelta(days=1)  # what went live longer ago than this is not announced any more


async def announce(
    source: str,
    topic: Topic,
    title: str,
    body: str,
    now: datetime,
    *,
    audience: Audience | None = None,
    campaign_id: str | None = None,
) -> FanOut | None:
    """One fan-out for `source`; None when it was announced already."""
    if await FanOut.filter(source=source).exists():
        return None
    try:
        return await FanOut.create(
            source=source,
            topic=topic.value,
            title=title[:128],
            body=body,
            campaign_id=campaign_id,
            audience=_plain(dataclasses.asdict(audience)) if audience else None,
            created_at=now,
        )
    except IntegrityError:  # announced by a concurrent runner
        return None


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value) if hasattr(value, "value") else value


async def announce_due(now: datetime) -> int:
    since = now - LOOKBACK
    made = 0
    campaigns = await Campaign.filter(
        draft=False,
        paused=False,
        ended_early_at__isnull=True,
        starts_at__gte=since,
        starts_at__lte=now,
        ends_at__gt=now,
    )
    for row in campaigns:
        campaign = campaign_from_dict(row.data)
        t = campaign.targets
        topic = campaign_topic(t.plan_ids, t.mall_item_ids, tuple(k.value for k in t.kinds))
        text = campaign.description or f"{campaign.name}活动已开始，快来看看吧。"
        made += bool(
            await announce(
                f"CAMPAIGN:{row.id}",
                topic,
                campaign.name,
                text,
                now,
                audience=campaign.audience,
                campaign_id=row.id,
            )
        )
    sales = await FlashSale.filter(
        cancelled=False, starts_at__gte=since, starts_at__lte=now, ends_at__gt=now
    )
    for sale in sales:
        made += bool(
            await announce(
                f"FLASH:{sale.id}",
                Topic.FLASH_SALES,
                f"秒杀开抢：{sale.name}",
                f"{sale.name}限量秒杀已开始。",
                now,
                campaign_id=sale.campaign_id,
            )
        )
    items = await MallItem.filter(
        archived=False, stock__gt=0, available_from__gte=since, available_from__lte=now
    )
    for item in items:
        made += bool(
            await announce(
                f"MALL:{item.id}",
                Topic.POINTS_MALL,
                f"积分商城上新：{item.name}",
                item.description or f"{item.name}已上架，可用积分兑换。",
                now,
            )
        )
    festivals = await Festival.filter(starts_at__gte=since, starts_at__lte=now, ends_at__gt=now)
    for festival in festivals:
        made += bool(
            await announce(
                f"FESTIVAL:{festival.id}",
                Topic.FESTIVALS,
                f"{festival.name}开始啦",
                festival.description or f"{festival.name}已开始，优惠多多。",
                now,
            )
        )
    return made


async def fan_out(services: Services, now: datetime, max_batches: int = 10_000) -> dict[str, int]:
    counts = {"batches": 0, "considered": 0, "notified": 0, "finished": 0}
    for fan in await FanOut.filter(finished_at__isnull=True).order_by("id"):
        while counts["batches"] < max_batches:
            considered, created, done = await fan_out_batch(services, fan, now)
            counts["batches"] += 1
            counts["considered"] += considered
            counts["notified"] += created
            # the notices of this batch that are due now go live while the next is written
            await publish_due(services, now)
            if done:
                counts["finished"] += 1
                break
    return counts


async def fan_out_batch(services: Services, fan: FanOut, now: datetime) -> tuple[int, int, bool]:
    """One batch of `fan`, the next `notify_batch` interested subscribers after the cursor
    (keyset: every query below is a range of subscriber ids, never a list of them); returns
    (subscribers considered, notices created, whether the fan-out is finished)."""
    settings = services.settings
    interested = (
        await SubscriberInterest.filter(topic=fan.topic, subscriber_id__gt=fan.cursor)
        .order_by("subscriber_id")
        .limit(settings.notify_batch)
        .values_list(
            "subscriber_id",
            "sms",
            "app",
            "subscriber__msisdn",
            "subscriber__status",
            "subscriber__joined_at",
            "subscriber__plan_id",
            "subscriber__region",
        )
    )
    if not interested:
        await FanOut.filter(id=fan.id).update(finished_at=now)
        return 0, 0, True
    first, last = fan.cursor, interested[-1][0]
    in_batch = {"subscriber_id__gt": first, "subscriber_id__lte": last}
    quiet = {
        sid: QuietHours(start, end)
        for sid, start, end in await NotifyPreference.filter(**in_batch).values_list(
            "subscriber_id", "quiet_start_minute", "quiet_end_minute"
        )
    }
    day_start = shanghai_day_bounds(now)[0]
    delivered: dict[int, dict[datetime, int]] = defaultdict(lambda: defaultdict(int))
    for sid, at in await InboxNotification.filter(
        **in_batch,
        deliver_at__gte=day_start,
        deliver_at__lt=day_start + timedelta(2),
        topic__in=CAPPED_TOPICS,
    ).values_list("subscriber_id", "deliver_at"):
        delivered[sid][shanghai_day_bounds(at)[0]] += 1
    audience = Audience(**fan.audience) if fan.audience else None
    topic = Topic(fan.topic)
    default_quiet = QuietHours()
    rows = []
    for sid, sms, app, msisdn, status, joined_at, plan_id, region in interested:
        channels = {NotifyChannel.SMS} if sms else set()
        if app:
            channels.add(NotifyChannel.APP)
        eligible = SubscriberStatus(status) is SubscriberStatus.ACTIVE and (
            audience is None or audience.admits(profile_from(sid, joined_at, plan_id, region, now))
        )
        decision = decide_push(
            topic,
            {topic: frozenset(channels)},
            eligible,
            quiet.get(sid, default_quiet),
            now,
            delivered[sid],
            settings.notify_daily_cap,
        )
        if decision.pushed:
            with_sms = NotifyChannel.SMS in decision.channels
            rows.append(NoticeRow(sid, msisdn, decision.deliver_at, with_sms))  # type: ignore[arg-type]
    async with in_transaction() as conn:
        moved = (
            await FanOut.filter(id=fan.id, cursor=fan.cursor)
            .using_db(conn)
            .update(cursor=last, created=fan.created + len(rows))
        )
        if moved:  # another runner did this batch already: write nothing twice
            await insert_notices(
                conn, rows, topic=fan.topic, source=fan.source, title=fan.title, body=fan.body,
                now=now,
            )  # fmt: skip
            await queue_sms_copies(
                conn, rows, kind=f"PUSH_{fan.topic}", text=f"【{fan.title}】{fan.body}", now=now
            )
    fan.cursor, fan.created = last, fan.created + len(rows)
    return len(interested), (len(rows) if moved else 0), False
