"""Orders are idempotent per (subscriber, idempotencyKey): the unique index decides a race, and the
loser returns the winner's order. The same key with a different request is refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.orders import Order
from domain.errors import fail

MAX_KEY_LENGTH = 64


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise fail("INVALID_IDEMPOTENCY_KEY", "Give a key of 1 to 64 characters.", "idempotencyKey")
    return key


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
