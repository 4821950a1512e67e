"""Reading and writing a subscriber's `ServiceSettings` as a domain `ServiceState`."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.account_services import ServiceSettings
from domain.account_services import ForwardingKind, ServiceState

_FORWARD_COLUMNS = {
    ForwardingKind.UNCONDITIONAL: "forward_unconditional",
    ForwardingKind.BUSY: "forward_busy",
    ForwardingKind.NO_ANSWER: "forward_no_answer",
    ForwardingKind.UNREACHABLE: "forward_unreachable",
}


def state_of(row: ServiceSettings | None) -> ServiceState:
    if row is None:
        return ServiceState()
    forwarding = tuple(
        (kind, getattr(row, column))
        for kind, column in _FORWARD_COLUMNS.items()
        if getattr(row, column)
    )
    return ServiceState(
        forwarding=forwarding,
        call_waiting=row.call_waiting,
        caller_id_display=row.caller_id_display,
        roaming=row.roaming,
        long_distance=row.long_distance,
        roaming_deposit_fen=row.roaming_deposit_fen,
        wlan=row.wlan,
    )


async def load(subscriber_id: int, conn: BaseDBAsyncClient | None = None) -> ServiceState:
    query = ServiceSettings.filter(subscriber_id=subscriber_id)
    if conn is not None:
        query = query.using_db(conn)
    return state_of(await query.first())


async def save(
    conn: BaseDBAsyncClient,
    subscriber_id: int,
    state: ServiceState,
    wlan_password_hash: str | None = None,
) -> None:
    """Write the whole state (the caller holds the subscriber's row lock)."""
    values: dict[str, object] = {
        column: state.forwarding_to(kind) for kind, column in _FORWARD_COLUMNS.items()
    }
    values.update(
        call_waiting=state.call_waiting,
        caller_id_display=state.caller_id_display,
        roaming=state.roaming,
        long_distance=state.long_distance,
        roaming_deposit_fen=state.roaming_deposit_fen,
        wlan=state.wlan,
    )
    if wlan_password_hash is not None:
        values["wlan_password_hash"] = wlan_password_hash
    updated = (
        await ServiceSettings.filter(subscriber_id=subscriber_id).using_db(conn).update(**values)
    )
    if not updated:
        await ServiceSettings.create(subscriber_id=subscriber_id, using_db=conn, **values)
