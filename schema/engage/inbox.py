"""The app inbox: `me.notifications`, `me.unreadNotifications`, `notificationMarkRead`, and
the live `notifications` subscription (graphql-transport-ws; served by any worker)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.notify import InboxTopic
from domain.sessions import Capability
from resolvers import inbox, inbox_push
from schema.errors import UserError, forbidden, payload, unauthenticated
from schema.pagination import Connection, connection_of
from schema.permissions import context, subscriber_session

NotificationTopicEnum = strawberry.enum(
    InboxTopic,
    name="NotificationTopic",
    description="An interest topic, POINTS (points about to expire) or ACCOUNT (business done "
    "and security notices, never held back by quiet hours or the daily cap)",
)


@strawberry.type(description="A notice in the app inbox.")
class Notification:
    id: strawberry.ID
    topic: NotificationTopicEnum
    title: str
    body: str
    delivered_at: datetime = strawberry.field(description="When it reached the inbox.")
    read_at: datetime | None
    sms: bool = strawberry.field(description="An SMS copy was queued too.")


def notification_node(row) -> Notification:
    return Notification(
        id=strawberry.ID(str(row.id)),
        topic=row.topic,
        title=row.title,
        body=row.body,
        delivered_at=row.deliver_at,
        read_at=row.read_at,
        sms=row.sms,
    )


@strawberry.type
class SubscriberInboxFields:
    @strawberry.field(description="Your inbox, newest first.")
    async def notifications(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        unread_only: bool = False,
    ) -> Connection[Notification] | None:
        session = subscriber_session(info, Capability.READ_BASIC)
        ctx = context(info)

        async def fetch():
            page = await inbox.notifications_page(
                ctx, session.subject_id, first, after, unread_only
            )
            return page.map(notification_node)

        return await connection_of(fetch)

    @strawberry.field(description="How many delivered notices are unread.")
    async def unread_notifications(self, info: Info) -> int:
        session = subscriber_session(info, Capability.READ_BASIC)
        return await inbox.unread_count(context(info), session.subject_id)


@strawberry.input
class NotificationMarkReadInput:
    ids: list[strawberry.ID] = strawberry.field(description="At most 100; others' ids are ignored")


@strawberry.type
class NotificationMarkReadPayload:
    marked: int | None = strawberry.field(default=None, description="Newly marked read")
    unread: int | None = None
    user_errors: list[UserError]


@strawberry.type
class InboxMutation:
    @strawberry.mutation(description="Mark your notices read.")
    async def notification_mark_read(
        self, info: Info, input: NotificationMarkReadInput
    ) -> NotificationMarkReadPayload:
        session = subscriber_session(info, Capability.READ_BASIC)
        ctx = context(info)

        async def work():
            marked = await inbox.mark_read(ctx, session.subject_id, [str(i) for i in input.ids])
            return {"marked": marked, "unread": await inbox.unread_count(ctx, session.subject_id)}

        return await payload(NotificationMarkReadPayload, work)


@strawberry.type
class InboxSubscription:
    @strawberry.subscription(
        description="Your new notices as they arrive (graphql-transport-ws). Authenticate with "
        "the handshake's Authorization header or `authorization` in connection_init."
    )
    async def notifications(self, info: Info) -> AsyncGenerator[Notification, None]:
        ctx = context(info)
        session = await inbox_push.subscription_session(ctx)
        if session is None:
            raise unauthenticated()
        if not session.is_subscriber:
            raise forbidden("This needs a subscriber session.")
        async for row in inbox_push.live_notifications(ctx, session):
            yield notification_node(row)
        raise unauthenticated()  # the stream ends only when the session did
