"""`place_order`: the steps every order takes, once, in this order.

1. idempotency: the same key and request returns the first order before anything is checked;
2. load the caller with due plan changes applied, and ask `domain.orders.eligibility` (status,
   and real name for the kinds in `REAL_NAME_KINDS`);
3. the kind prepares: validates what is ordered and prices it through the promotions engine;
4. the price the client showed must still hold (`expectedFinalPriceFen`);
5. campaign caps are held in Redis (CAP_REACHED when they ran out);
6. one transaction (`place_once`): lock the subscriber, check it again, write the order and its
   campaign redemptions, then the kind writes what it moves (balance debit, allowance grants,
   superseded changes);
7. caps are confirmed after the commit (given back when anything failed);
8. the kind's follow-up: the SMS notice, releases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.orders import Order
from db.repositories import business_orders
from db.repositories.orders import place_once, previous_order
from db.repositories.plan_changes import apply_due_changes
from domain.errors import DomainError, fail
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import OrderDetails
from domain.orders.eligibility import check_expected_price, check_may_transact, check_real_name
from domain.pricing import Channel, Quote
from resolvers import campaign_caps
from resolvers.context import RequestContext


@dataclass(frozen=True)
class Prepared:
    """What a kind decided before the transaction."""

    quote: Quote
    details: OrderDetails
    status: OrderStatus
    effective_from: datetime


class OrderKindHandler(Protocol):
    kind: OrderKind

    def fingerprint(self) -> str:
        """The request, canonically: the same key with another request is refused."""
        ...

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared: ...

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        """Inside the order's transaction: what the order moves. Returns the (updated) order."""
        ...

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        """After the commit, only for a new order: notices and releases."""
        ...


async def subscriber_now(subscriber_id: int, now: datetime) -> Subscriber | None:
    """The subscriber with any plan change that fell due already applied."""
    await apply_due_changes(now, subscriber_id)
    return await Subscriber.get_or_none(id=subscriber_id)


async def caller(ctx: RequestContext, now: datetime) -> Subscriber | None:
    session = ctx.session
    if session is None or not session.is_subscriber:
        return None
    return await subscriber_now(session.subject_id, now)


async def place_order(
    ctx: RequestContext,
    subscriber_id: int,
    key: str,
    handler: OrderKindHandler,
    channel: Channel = Channel.WEB,
    expected_fen: int | None = None,
) -> Order:
    now = ctx.now()
    fingerprint = handler.fingerprint()
    if (found := await previous_order(subscriber_id, key, fingerprint)) is not None:
        return found
    subscriber = await subscriber_now(subscriber_id, now)
    if subscriber is None:
        raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
    check_may_transact(subscriber.status, handler.kind)
    # numbers, devices and flash-sale units need a real-name verified buyer; a kind whose buyer
    # is not the order's subscriber (a number bought for a new line) says `buyer_verified`
    check_real_name(handler.kind, getattr(handler, "buyer_verified", subscriber.real_name_verified))
    prepared = await handler.prepare(ctx, subscriber, channel, now)
    check_expected_price(prepared.quote, expected_fen)

    async def place(conn: BaseDBAsyncClient, order_id: UUID, rid: str | None) -> Order:
        locked = await business_orders.lock_subscriber(conn, subscriber_id)
        if locked is None:
            raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
        check_may_transact(locked.status, handler.kind)
        details = prepared.details.replace(
            fingerprint=fingerprint, channel=channel.value, cap_reservation=rid
        )
        order = await business_orders.create_order(
            conn,
            order_id=order_id,
            subscriber_id=subscriber_id,
            key=key,
            kind=handler.kind,
            status=prepared.status,
            quote=prepared.quote,
            details=details,
            effective_from=prepared.effective_from,
            reservation_id=campaign_caps.reservation_id(order_id),
            now=now,
        )
        return await handler.write(conn, order, locked, now)

    order, new = await _with_caps(ctx, subscriber_id, key, fingerprint, prepared.quote, now, place)
    if new:
        await handler.after(ctx, order, subscriber)
    return order


async def _with_caps(
    ctx: RequestContext,
    subscriber_id: int,
    key: str,
    fingerprint: str,
    quote: Quote,
    now: datetime,
    place,
) -> tuple[Order, bool]:
    """`place_once` with the quote's campaign caps held around it: reserved before the
    transaction, given back if it fails or a concurrent request with the same key won, confirmed
    after it commits. The reservation id is the new order's id, so a replay (which finds the
    order first) never reserves twice."""
    order_id = uuid4()
    try:
        rid = await campaign_caps.hold(
            ctx.services, campaign_caps.reservation_id(order_id), subscriber_id, quote, now
        )
    except DomainError:
        found = await previous_order(subscriber_id, key, fingerprint)
        if found is not None:
            return found, False
        raise

    async def placing(conn: BaseDBAsyncClient) -> Order:
        return await place(conn, order_id, rid)

    try:
        order, new = await place_once(subscriber_id, key, fingerprint, placing)
    except BaseException:
        await campaign_caps.cancel(ctx.services, rid, now)
        raise
    if new:
        await campaign_caps.confirm(ctx.services, rid, subscriber_id, quote, now)
    else:
        await campaign_caps.cancel(ctx.services, rid, now)
    return order, new
