"""Account services (基础业务, 国际业务, WLAN) and the fields they add to `Subscriber`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.account_services import ForwardingKind
from domain.sessions import Capability
from resolvers.account_services import service_state
from schema.permissions import subscriber_session

ForwardingKindEnum = strawberry.enum(ForwardingKind, name="ForwardingKind")


@strawberry.type(description="One kind of call forwarding that is set.")
class CallForwarding:
    kind: ForwardingKindEnum
    target_msisdn: str


@strawberry.type(description="Call forwarding, call waiting and caller ID (基础业务).")
class CallSettings:
    forwarding: list[CallForwarding]
    call_waiting: bool
    caller_id_display: bool


@strawberry.type(description="International roaming and long distance (国际业务).")
class InternationalServices:
    roaming: bool
    long_distance: bool
    roaming_deposit_fen: int = strawberry.field(
        description="Held from the balance while roaming is open (0 with enough tenure)."
    )


@strawberry.type(description="WLAN service; the password is only ever sent by SMS.")
class Wlan:
    enabled: bool


@strawberry.type
class SubscriberServiceFields:
    """Fields this area adds to `Subscriber` (the schema's `me`)."""

    @strawberry.field(description="Call forwarding, call waiting and caller ID display.")
    async def call_settings(self, info: Info) -> CallSettings:
        subscriber_session(info, Capability.READ_BASIC)
        state = await service_state(self.id)  # type: ignore[attr-defined]
        return CallSettings(
            forwarding=[CallForwarding(kind=k, target_msisdn=t) for k, t in state.forwarding],
            call_waiting=state.call_waiting,
            caller_id_display=state.caller_id_display,
        )

    @strawberry.field(description="Whether international roaming and long distance are open.")
    async def international_services(self, info: Info) -> InternationalServices:
        subscriber_session(info, Capability.READ_BASIC)
        state = await service_state(self.id)  # type: ignore[attr-defined]
        return InternationalServices(
            roaming=state.roaming,
            long_distance=state.long_distance,
            roaming_deposit_fen=state.roaming_deposit_fen,
        )

    @strawberry.field
    async def wlan(self, info: Info) -> Wlan:
        subscriber_session(info, Capability.READ_BASIC)
        return Wlan(enabled=(await service_state(self.id)).wlan)  # type: ignore[attr-defined]
