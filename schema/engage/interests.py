"""`me.interests`, `me.quietHours` and `interestsSet`: what a subscriber wants to hear about, on
which channels, and when not to be disturbed (Asia/Shanghai)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.notify import NotifyChannel, QuietHours, Topic, format_minute
from domain.sessions import Capability
from resolvers import interests
from schema.errors import UserError, payload
from schema.permissions import context, subscriber_session

TopicEnum = strawberry.enum(Topic, name="InterestTopic")
NotifyChannelEnum = strawberry.enum(NotifyChannel, name="NotifyChannel")


@strawberry.type(description="A topic the subscriber is interested in, and how to be told.")
class Interest:
    topic: TopicEnum
    channels: list[NotifyChannelEnum]


@strawberry.type(
    name="QuietHours", description="No pushes from start (inclusive) to end, HH:MM Shanghai."
)
class QuietHoursType:
    start: str
    end: str


def interest_nodes(rows) -> list[Interest]:
    return [
        Interest(topic=i.topic, channels=sorted(i.channels, key=lambda c: c.value)) for i in rows
    ]


def quiet_node(q: QuietHours) -> QuietHoursType:
    return QuietHoursType(start=format_minute(q.start), end=format_minute(q.end))


@strawberry.type
class SubscriberInterestFields:
    @strawberry.field(description="Topics you asked to be told about.")
    async def interests(self, info: Info) -> list[Interest]:
        session = subscriber_session(info, Capability.READ_BASIC)
        return interest_nodes(await interests.interests_of(session.subject_id))

    @strawberry.field(description="When pushes wait (default 22:00 to 08:00 Shanghai).")
    async def quiet_hours(self, info: Info) -> QuietHoursType:
        session = subscriber_session(info, Capability.READ_BASIC)
        return quiet_node(await interests.quiet_hours_of(session.subject_id))


@strawberry.input
class InterestInput:
    topic: TopicEnum
    channels: list[NotifyChannelEnum]


@strawberry.input
class QuietHoursInput:
    start: str = strawberry.field(description="HH:MM")
    end: str = strawberry.field(description="HH:MM, may be before start (past midnight)")


@strawberry.input
class InterestsSetInput:
    interests: list[InterestInput] = strawberry.field(description="Replaces the whole list")
    quiet_hours: QuietHoursInput | None = None


@strawberry.type
class InterestsSetPayload:
    interests: list[Interest] | None = None
    quiet_hours: QuietHoursType | None = None
    user_errors: list[UserError]


@strawberry.type
class InterestMutation:
    @strawberry.mutation(description="Replace your interests (and optionally quiet hours).")
    async def interests_set(self, info: Info, input: InterestsSetInput) -> InterestsSetPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            pairs = [(i.topic.value, [c.value for c in i.channels]) for i in input.interests]
            quiet = (input.quiet_hours.start, input.quiet_hours.end) if input.quiet_hours else None
            rows, hours = await interests.interests_set(
                context(info), session.subject_id, pairs, quiet
            )
            return {"interests": interest_nodes(rows), "quiet_hours": quiet_node(hours)}

        return await payload(InterestsSetPayload, work)
