"""Orders are idempotent per (subscriber, idempotencyKey): the unique index decides a race, and the
loser returns the winner's order. The same key with a different request is refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.orders import Order
from domain.errors import fail
from domain.idempotency import MAX_KEY_LENGTH, check_client_key

__all__ = ["MAX_KEY_LENGTH", "check_key", "place_once", "previous_order"]  # the key's length cap


def check_key(key: str) -> str:
    """A client's key (never one in the hall's own namespace: `domain.idempotency`)."""
    return check_client_key(key)


async def previous_order(subscriber_id: int, key: str, fingerprint: str) -> Order | None:
    """The order this idempotency key already produced: the same request gets it back before
    anything is checked again; a different request under the same key is refused."""
    order = await Order.get_or_none(subscriber_id=subscriber_id, idempotency_key=check_key(key))
    if order is not None and order.detail.fingerprint != fingerprint:
        raise fail(
            "IDEMPOTENCY_KEY_REUSED",
            "This idempotencyKey was already used for a different request.",
            "idempotencyKey",
        )
    return order


async def place_once(
    subscriber_id: int,
    key: str,
    fingerprint: str,
    place: Callable[[BaseDBAsyncClient], Awaitable[Order]],
) -> tuple[Order, bool]:
    """Run `place` in a transaction unless this key already produced an order.

    `place` must create the Order with `detail.fingerprint == fingerprint`. Returns the order and
    whether it is new. A DomainError from `place` rolls everything back and records nothing.
    """
    key = check_key(key)
    if (found := await previous_order(subscriber_id, key, fingerprint)) is not None:
        return found, False
    try:
        async with in_transaction() as conn:
            return await place(conn), True
    except IntegrityError:
        if (found := await previous_order(subscriber_id, key, fingerprint)) is not None:
            return found, False
        raise
