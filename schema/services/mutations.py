"""Account-service mutations: each is a business order (me.orders), idempotent by key, refused to
LIMITED sessions (Capability.TRANSACT), with an SMS notice."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.pricing import Channel
from domain.sessions import Capability
from resolvers.ordering import OrderKindHandler, place_order
from resolvers.ordering.account_services import (
    CallForwarding,
    CallWaiting,
    InternationalServices,
)
from resolvers.ordering.wlan import WlanPasswordReset, WlanSet
from schema.enums import ChannelEnum
from schema.errors import UserError, payload
from schema.orders.types import Order
from schema.permissions import context, subscriber_session
from schema.services.types import ForwardingKindEnum


@strawberry.type
class ServiceOrderPayload:
    order: Order | None = None
    user_errors: list[UserError]


@strawberry.input
class CallForwardingInput:
    kind: ForwardingKindEnum
    target_msisdn: str


@strawberry.input
class InternationalServicesInput:
    roaming: bool | None = strawberry.field(default=None, description="null: unchanged")
    long_distance: bool | None = strawberry.field(default=None, description="null: unchanged")
    idempotency_key: str


async def _order(
    info: Info, key: str, handler: OrderKindHandler, channel: Channel
) -> ServiceOrderPayload:
    session = subscriber_session(info, Capability.TRANSACT)

    async def work():
        order = await place_order(context(info), session.subject_id, key, handler, channel)
        return {"order": order}

    return await payload(ServiceOrderPayload, work)


@strawberry.type
class ServiceMutation:
    @strawberry.mutation(description="Forward calls of one kind to another number; at once.")
    async def call_forwarding_set(
        self,
        info: Info,
        input: CallForwardingInput,
        idempotency_key: str,
        channel: ChannelEnum = Channel.WEB,
    ) -> ServiceOrderPayload:
        handler = CallForwarding(input.kind, input.target_msisdn)
        return await _order(info, idempotency_key, handler, channel)

    @strawberry.mutation(description="Stop one kind of call forwarding.")
    async def call_forwarding_clear(
        self,
        info: Info,
        kind: ForwardingKindEnum,
        idempotency_key: str,
        channel: ChannelEnum = Channel.WEB,
    ) -> ServiceOrderPayload:
        return await _order(info, idempotency_key, CallForwarding(kind, None), channel)

    @strawberry.mutation(description="Turn call waiting on or off.")
    async def call_waiting_set(
        self, info: Info, enabled: bool, idempotency_key: str, channel: ChannelEnum = Channel.WEB
    ) -> ServiceOrderPayload:
        return await _order(info, idempotency_key, CallWaiting(enabled), channel)

    @strawberry.mutation(
        description="Open or close international roaming and long distance. Opening roaming "
        "needs a real-name, ACTIVE number and 6 months on the network, or a deposit held from "
        "the balance (returned when roaming is closed)."
    )
    async def international_services_set(
        self, info: Info, input: InternationalServicesInput, channel: ChannelEnum = Channel.WEB
    ) -> ServiceOrderPayload:
        handler = InternationalServices(input.roaming, input.long_distance)
        return await _order(info, input.idempotency_key, handler, channel)

    @strawberry.mutation(description="Turn the WLAN service on or off.")
    async def wlan_set(
        self, info: Info, enabled: bool, idempotency_key: str, channel: ChannelEnum = Channel.WEB
    ) -> ServiceOrderPayload:
        return await _order(info, idempotency_key, WlanSet(enabled), channel)

    @strawberry.mutation(
        description="A new random WLAN password, sent by SMS only (never in the response)."
    )
    async def wlan_password_reset(
        self, info: Info, idempotency_key: str, channel: ChannelEnum = Channel.WEB
    ) -> ServiceOrderPayload:
        return await _order(info, idempotency_key, WlanPasswordReset(), channel)
