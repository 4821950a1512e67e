"""A subscriber's interests (topics with channels) and quiet hours: read and replace."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from db.models.engage import NotifyPreference, SubscriberInterest
from domain.notify import (
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    Interest,
    NotifyChannel,
    QuietHours,
    Topic,
    check_interests,
    parse_minute,
)
from resolvers.context import RequestContext


def _interest(row: SubscriberInterest) -> Interest:
    channels = {NotifyChannel.SMS} if row.sms else set()
    if row.app:
        channels.add(NotifyChannel.APP)
    return Interest(Topic(row.topic), frozenset(channels))


async def interests_of(subscriber_id: int) -> list[Interest]:
    rows = await SubscriberInterest.filter(subscriber_id=subscriber_id).order_by("topic")
    return [_interest(r) for r in rows]


async def quiet_hours_of(subscriber_id: int) -> QuietHours:
    row = await NotifyPreference.get_or_none(subscriber_id=subscriber_id)
    if row is None:
        return QuietHours(DEFAULT_QUIET_START, DEFAULT_QUIET_END)
    return QuietHours(row.quiet_start_minute, row.quiet_end_minute)


async def interests_set(
    ctx: RequestContext,
    subscriber_id: int,
    pairs: list[tuple[str, list[str]]],
    quiet: tuple[str, str] | None,
) -> tuple[list[Interest], QuietHours]:
    """Replace the interests (and, when given, the quiet hours) in one transaction."""
    interests = check_interests(pairs)
    hours = None
    if quiet is not None:
        hours = QuietHours(
            parse_minute(quiet[0], "quietHours.start"), parse_minute(quiet[1], "quietHours.end")
        )
    async with in_transaction() as conn:
        await SubscriberInterest.filter(subscriber_id=subscriber_id).using_db(conn).delete()
        if interests:
            await SubscriberInterest.bulk_create(
                [
                    SubscriberInterest(
                        subscriber_id=subscriber_id,
                        topic=i.topic.value,
                        sms=NotifyChannel.SMS in i.channels,
                        app=NotifyChannel.APP in i.channels,
                    )
                    for i in interests
                ],
                using_db=conn,
            )
        if hours is not None:
            await NotifyPreference.update_or_create(
                defaults={"quiet_start_minute": hours.start, "quiet_end_minute": hours.end},
                subscriber_id=subscriber_id,
                using_db=conn,
            )
    return await interests_of(subscriber_id), await quiet_hours_of(subscriber_id)
