"""The 4G shared plan (4G共享套餐): me.sharedPlan and the main number's mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.pricing import Channel
from domain.sessions import Capability
from resolvers import shared_plans
from resolvers.ordering import OrderKindHandler, place_order
from resolvers.ordering import shared_plan_orders as orders
from schema.enums import ChannelEnum
from schema.errors import UserError, payload
from schema.orders.types import Order
from schema.permissions import context, subscriber_session


@strawberry.type
class SharedPlanNumber:
    msisdn: str


@strawberry.type(description="A shared plan's group: the main number pays, members share.")
class SharedPlan:
    main: SharedPlanNumber
    members: list[SharedPlanNumber]
    pending_main: SharedPlanNumber | None = strawberry.field(
        description="The member who becomes the main number at pendingFrom."
    )
    pending_from: datetime | None


@strawberry.type
class SharedPlanPayload:
    order: Order | None = None
    user_errors: list[UserError]


@strawberry.type
class CodeSentPayload:
    resend_after_seconds: int | None = None
    user_errors: list[UserError]


@strawberry.type
class SubscriberSharedFields:
    @strawberry.field(description="The shared plan this number leads or belongs to.")
    async def shared_plan(self, info: Info) -> SharedPlan | None:
        subscriber_session(info, Capability.READ_BASIC)
        found = await shared_plans.view(self.id)  # type: ignore[attr-defined]
        if found is None:
            return None
        return SharedPlan(
            main=SharedPlanNumber(msisdn=found.main.msisdn),
            members=[SharedPlanNumber(msisdn=m.msisdn) for m in found.members],
            pending_main=SharedPlanNumber(msisdn=found.pending_main.msisdn)
            if found.pending_main
            else None,
            pending_from=found.pending_from,
        )


async def _order(info: Info, key: str, handler: OrderKindHandler, channel: Channel):
    session = subscriber_session(info, Capability.TRANSACT)

    async def work():
        order = await place_order(context(info), session.subject_id, key, handler, channel)
        return {"order": order}

    return await payload(SharedPlanPayload, work)


@strawberry.type
class SharedPlanMutation:
    @strawberry.mutation(
        description="Text a confirmation code to the number to add; the member tells the main "
        "number the code, which sharedPlanAddMember takes."
    )
    async def shared_plan_member_code_send(self, info: Info, msisdn: str) -> CodeSentPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            seconds = await shared_plans.send_member_code(context(info), session.subject_id, msisdn)
            return {"resend_after_seconds": seconds}

        return await payload(CodeSentPayload, work)

    @strawberry.mutation(description="Add a secondary number (at most 4) with its SMS code.")
    async def shared_plan_add_member(
        self,
        info: Info,
        msisdn: str,
        sms_code: str,
        idempotency_key: str,
        channel: ChannelEnum = Channel.WEB,
    ) -> SharedPlanPayload:
        handler = orders.SharedMemberAdd(msisdn, sms_code)
        return await _order(info, idempotency_key, handler, channel)

    @strawberry.mutation(description="Remove a secondary number; at once.")
    async def shared_plan_remove_member(
        self, info: Info, msisdn: str, idempotency_key: str, channel: ChannelEnum = Channel.WEB
    ) -> SharedPlanPayload:
        handler = orders.SharedMemberRemove(msisdn)
        return await _order(info, idempotency_key, handler, channel)

    @strawberry.mutation(
        description="Make a member the main number from 00:00 on the 1st of next month."
    )
    async def shared_plan_change_main(
        self,
        info: Info,
        new_main_msisdn: str,
        idempotency_key: str,
        channel: ChannelEnum = Channel.WEB,
    ) -> SharedPlanPayload:
        handler = orders.SharedMainChange(new_main_msisdn)
        return await _order(info, idempotency_key, handler, channel)
