"""The app inbox: a subscriber's notices (shown from their `deliver_at`, so one deferred by
quiet hours appears when it is delivered), paged newest first, marked read in bulk."""

from __future__ import annotations

from db.models.engage import InboxNotification
from domain.errors import fail
from resolvers.context import RequestContext
from resolvers.pagination import Page, keyset_page

MAX_MARK = 100


async def notifications_page(
    ctx: RequestContext, subscriber_id: int, first: int | None, after: str | None, unread_only: bool
) -> Page[InboxNotification]:
    query = InboxNotification.filter(subscriber_id=subscriber_id, deliver_at__lte=ctx.now())
    if unread_only:
        query = query.filter(read_at__isnull=True)
    return await keyset_page(query, first, after, ("-deliver_at", "-id"))


async def unread_count(ctx: RequestContext, subscriber_id: int) -> int:
    return await InboxNotification.filter(
        subscriber_id=subscriber_id, deliver_at__lte=ctx.now(), read_at__isnull=True
    ).count()


async def mark_read(ctx: RequestContext, subscriber_id: int, ids: list[str]) -> int:
    """Marks the caller's own notices read; someone else's ids are ignored, never touched.
    Returns how many were newly marked (marking twice is harmless)."""
    if len(ids) > MAX_MARK:
        raise fail("INVALID_ARGUMENT", f"At most {MAX_MARK} ids at a time.", "ids")
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        raise fail("INVALID_ARGUMENT", "Notification ids are numbers.", "ids") from None
    if not wanted:
        return 0
    return await InboxNotification.filter(
        id__in=wanted, subscriber_id=subscriber_id, read_at__isnull=True
    ).update(read_at=ctx.now())
