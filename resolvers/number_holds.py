"""numberReserve / numberRelease: one guarded UPDATE decides who holds a number."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from db.models.numbers import NumberReservation, PhoneNumber
from db.repositories import numbers as pool
from db.repositories.orders import check_key
from domain.errors import fail
from domain.numbers.holds import HoldPolicy
from domain.numbers.patterns import is_msisdn
from resolvers.context import RequestContext, Services


def policy(ctx: RequestContext) -> HoldPolicy:
    settings = ctx.settings
    return HoldPolicy(settings.number_hold_minutes, settings.number_holds_per_caller)


async def reserve(
    ctx: RequestContext, holder: str, msisdn: str, idempotency_key: str, notify: str | None
) -> NumberReservation:
    key = check_key(idempotency_key)
    if not is_msisdn(msisdn):
        raise fail("INVALID_MSISDN", "号码应为1开头的11位数字", "msisdn")
    previous = await NumberReservation.get_or_none(holder=holder, idempotency_key=key)
    if previous is not None:
        if previous.msisdn != msisdn:
            raise fail("IDEMPOTENCY_KEY_REUSED", "该幂等键已用于其他号码", "idempotencyKey")
        return previous
    now = ctx.now()
    rules = policy(ctx)
    async with in_transaction() as conn:
        await pool.lock_holder(conn, holder)  # the count below and the hold are one step
        rules.check_room(await pool.live_holds(holder, now, conn))
        if not await pool.hold(msisdn, holder, rules.until(now), now, conn):
            if not await PhoneNumber.filter(msisdn=msisdn).using_db(conn).exists():
                raise fail("NUMBER_NOT_FOUND", "号码不存在", "msisdn")
            raise fail("NUMBER_UNAVAILABLE", "号码已被预占或售出", "msisdn")
        # the previous holder's expired hold on this number is over
        await (
            NumberReservation.filter(msisdn=msisdn, released_at=None, expires_at__lte=now)
            .using_db(conn)
            .update(released_at=now)
        )
        reservation = await NumberReservation.create(
            id=uuid.uuid4(),
            msisdn=msisdn,
            holder=holder,
            idempotency_key=key,
            expires_at=rules.until(now),
            created_at=now,
            using_db=conn,
        )
    if notify:
        await ctx.services.sms.send(
            notify, "NUMBER_RESERVED", f"您已预占号码{msisdn}，请在{rules.minutes}分钟内完成购买。"
        )
    return reservation


async def release(ctx: RequestContext, holder: str, reservation_id: str) -> NumberReservation:
    now = ctx.now()
    try:
        rid = uuid.UUID(reservation_id)
    except ValueError:
        raise fail("RESERVATION_NOT_FOUND", "预占记录不存在", "reservationId") from None
    async with in_transaction() as conn:
        reservation = await NumberReservation.get_or_none(id=rid, holder=holder).using_db(conn)
        if (
            reservation is None
            or reservation.released_at is not None
            or reservation.expires_at <= now
        ):
            raise fail("RESERVATION_NOT_FOUND", "预占记录不存在或已失效", "reservationId")
        await pool.give_back(reservation.msisdn, holder, conn)
        reservation.released_at = now
        await reservation.save(using_db=conn, update_fields=["released_at"])
    return reservation


async def reap(ctx: RequestContext) -> int:
    return await pool.reap(ctx.now())


@dataclass(frozen=True)
class Reaped:
    unpaid_orders: int  # NUMBER_PURCHASE orders ended EXPIRED (their ID quota given back)
    numbers: int  # numbers back in the pool


async def reap_expired(services: Services) -> Reaped:
    """The job runner's entry (a plain coroutine: schedule it every minute). Number purchases
    unpaid past the payment window end, then every lapsed hold (a caller's or an unpaid
    order's) returns its number to the pool. Safe on several hosts at once: each step is a
    guarded UPDATE."""
    from resolvers.number_delivery import expire_unpaid

    unpaid = await expire_unpaid(services)
    return Reaped(unpaid, await pool.reap(services.now()))
