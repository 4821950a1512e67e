"""Self-service account business (基础业务, 国际业务, WLAN): pure decisions about call forwarding,
call waiting, international roaming and long distance, and WLAN.

The use cases load a subscriber's `ServiceState`, ask these functions what the new state is (or
why not), and write it; nothing here touches a database."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.accounts import SubscriberStatus, check_msisdn
from domain.calendar import local
from domain.errors import fail


class ForwardingKind(StrEnum):
    UNCONDITIONAL = "UNCONDITIONAL"  # 无条件转移
    BUSY = "BUSY"  # 遇忙转移
    NO_ANSWER = "NO_ANSWER"  # 无应答转移
    UNREACHABLE = "UNREACHABLE"  # 不可及转移


@dataclass(frozen=True)
class ServiceState:
    """A subscriber's switchable services; a number with no row has these defaults."""

    forwarding: tuple[tuple[ForwardingKind, str], ...] = ()  # sorted by kind, one target each
    call_waiting: bool = True
    caller_id_display: bool = True
    roaming: bool = False
    long_distance: bool = False
    roaming_deposit_fen: int = 0  # held from the balance while roaming is open
    wlan: bool = False

    def forwarding_to(self, kind: ForwardingKind) -> str | None:
        return dict(self.forwarding).get(kind)

    def replace(self, **changes: object) -> ServiceState:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def check_forwarding_target(target: str, own_msisdn: str) -> str:
    """A forwarding target is a valid mainland mobile number and not the subscriber's own."""
    cleaned = check_msisdn(target, "targetMsisdn")
    if cleaned == own_msisdn:
        raise fail(
            "FORWARD_TO_OWN_NUMBER",
            "Calls cannot be forwarded to the number they were made to.",
            "targetMsisdn",
        )
    return cleaned


def with_forwarding(state: ServiceState, kind: ForwardingKind, target: str | None) -> ServiceState:
    """The state with `kind` forwarded to `target` (None clears it)."""
    rest = {k: v for k, v in state.forwarding if k is not kind}
    if target is not None:
        rest[kind] = target
    ordered = tuple(sorted(rest.items(), key=lambda kv: list(ForwardingKind).index(kv[0])))
    return state.replace(forwarding=ordered)


def tenure_months(joined_at: datetime, now: datetime) -> int:
    """Whole months on the network, by the Shanghai calendar (joined 3 Jan → 6 on 3 Jul)."""
    start, here = local(joined_at), local(now)
    months = (here.year - start.year) * 12 + here.month - start.month
    if (here.day, here.time()) < (start.day, start.time()):
        months -= 1  # the month is not complete until the day of joining comes round
    return max(months, 0)


@dataclass(frozen=True)
class RoamingDecision:
    deposit_fen: int  # what to hold from the balance (0 when tenure suffices)


def decide_roaming_open(
    *,
    real_name_verified: bool,
    status: SubscriberStatus,
    joined_at: datetime,
    now: datetime,
    min_tenure_months: int,
    deposit_fen: int,
) -> RoamingDecision:
    """Opening international roaming: a real-name, ACTIVE number, on the network for
    `min_tenure_months` or else leaving `deposit_fen` held from its balance."""
    if not real_name_verified:
        raise fail(
            "NOT_VERIFIED",
            "International roaming needs a real-name registered number: register first.",
            "roaming",
        )
    if status is not SubscriberStatus.ACTIVE:
        raise fail(
            "NOT_ELIGIBLE", "Only an active number may open international roaming.", "roaming"
        )
    if tenure_months(joined_at, now) >= min_tenure_months:
        return RoamingDecision(0)
    return RoamingDecision(deposit_fen)


def check_roaming_open(state: ServiceState) -> None:
    """A roaming pack is only of use, and only sold, with roaming open."""
    if not state.roaming:
        raise fail(
            "ROAMING_NOT_OPEN",
            "Open international roaming (internationalServicesSet) before buying a roaming pack.",
            "packId",
        )
