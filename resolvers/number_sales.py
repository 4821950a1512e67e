"""numberPurchase (选号入网) through the ordering pipeline, and the new line it makes.

The order belongs to the line being bought: an INACTIVE subscriber row for the number, in the
region of the number's province, made before the order (or reused while a concurrent request of
the same hold is placing its order); its order moves the number, the per-ID quota and the payment
(`resolvers.ordering.number_purchases`). A line this request made is dropped again when its order
fails (`db.repositories.new_lines.drop_unused`), so a refused purchase leaves no row behind. An
earlier buyer's line whose purchase ended unsold is retired, never reused
(`db.repositories.new_lines.retire`): a new buyer sees nothing of an earlier one.
Paying, the courier's delivery check and unpaid orders are `resolvers.number_delivery`.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.numbers import NumberReservation, PhoneNumber
from db.models.orders import Order
from db.repositories import new_lines
from db.repositories.orders import check_key, previous_order
from domain.accounts import SubscriberStatus, check_msisdn
from domain.errors import fail
from domain.numbers.identity import id_digest, mask_id, parse_resident_id
from domain.numbers.purchase import (
    check_address,
    check_method,
    check_name,
    first_payment,
    last6_digest,
)
from domain.numbers.regions import region_code
from domain.orders import OrderKind
from domain.orders.eligibility import check_real_name
from domain.payments import PaymentMethod
from domain.pricing import Channel
from resolvers.context import RequestContext
from resolvers.number_delivery import expire_unpaid
from resolvers.ordering.number_purchases import Buyer, NumberPurchase
from resolvers.ordering.offerings import plan_for_change
from resolvers.ordering.pipeline import place_order


@dataclass(frozen=True)
class PurchaseRequest:
    reservation_id: str
    name: str
    id_number: str
    contact_msisdn: str
    shipping_address: str
    plan_id: str
    payment_method: PaymentMethod


def _fingerprint(holder: str, r: PurchaseRequest, digest: str, contact: str, address: str) -> str:
    parts = (holder, r.reservation_id, r.plan_id, r.payment_method.value, digest, contact, address)
    return "NUMBER_PURCHASE:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


async def _reservation(holder: str, reservation_id: str) -> NumberReservation:
    try:
        rid = uuid.UUID(reservation_id)
    except ValueError:
        raise fail("RESERVATION_NOT_FOUND", "预占记录不存在", "reservationId") from None
    reservation = await NumberReservation.get_or_none(id=rid, holder=holder)
    if reservation is None:
        raise fail("RESERVATION_NOT_FOUND", "预占记录不存在", "reservationId")
    return reservation


def _region(number: PhoneNumber) -> str:
    region = region_code(number.province)
    if region is None:
        raise fail("NUMBER_UNAVAILABLE", "该号码归属地暂不支持入网", "reservationId")
    return region


async def _new_line(
    ctx: RequestContext, msisdn: str, plan_id: str, region: str
) -> tuple[Subscriber, bool]:
    """The INACTIVE subscriber row of the number bought, and whether this call made it. Its
    service password is a random one nobody knows until the payment sets the initial one."""
    now = ctx.now()
    for _ in range(3):
        line = await Subscriber.get_or_none(msisdn=msisdn)
        if line is not None:
            if line.status is not SubscriberStatus.INACTIVE:
                raise fail("NUMBER_UNAVAILABLE", "号码已售出", "reservationId")
            if not await _out_of_the_way(ctx, line.id):
                return line, False  # a concurrent request of this hold made it
            continue  # an earlier buyer's line was retired: make a fresh one
        try:
            made = await Subscriber.create(
                msisdn=msisdn,
                status=SubscriberStatus.INACTIVE,
                region=region,
                plan_id=plan_id,
                balance_fen=0,
                joined_at=now,
                puk=f"{secrets.randbelow(10**8):08d}",
                service_password_hash=ctx.services.hasher.hash(secrets.token_urlsafe(24)),
                on_initial_password=True,
            )
            return made, True
        except IntegrityError:
            continue  # a concurrent purchase of the same hold made it: read theirs
    raise fail("TRY_AGAIN", "请稍后重试", "reservationId")


async def _out_of_the_way(ctx: RequestContext, line_id: int) -> bool:
    """Whether an existing line of the number no longer stands in the way of a fresh one: an
    earlier buyer's, whose order lapsed unpaid before the reaper ended it (the caller holds the
    number, so that hold has run out), ends EXPIRED now and the line is retired."""
    await expire_unpaid(ctx.services, line_id=line_id)
    async with in_transaction() as conn:
        return await new_lines.retire(conn, line_id)


async def purchase(
    ctx: RequestContext,
    holder: str,
    buyer_id: int | None,
    request: PurchaseRequest,
    idempotency_key: str,
    channel: Channel = Channel.WEB,
) -> Order:
    """Buy the number the caller holds. `buyer_id` is the logged-in subscriber, if any (who
    must be real-name verified: NOT_VERIFIED); an anonymous buyer is verified by the ID given."""
    key = check_key(idempotency_key)
    now = ctx.now()
    name = check_name(request.name)
    resident = parse_resident_id(request.id_number, now)
    contact = check_msisdn(request.contact_msisdn, "contactMsisdn")
    address = check_address(request.shipping_address)
    method = check_method(request.payment_method)
    secret = ctx.settings.id_number_secret
    digest = id_digest(resident.number, secret)
    fingerprint = _fingerprint(holder, request, digest, contact, address)
    reservation = await _reservation(holder, request.reservation_id)
    line_id = reservation.line_id  # set once this hold's order was placed
    if line_id is None:  # not yet, or a concurrent request of the hold is placing it
        line = await Subscriber.get_or_none(msisdn=reservation.msisdn)
        line_id = line.id if line is not None else None
    if line_id is not None and (found := await previous_order(line_id, key, fingerprint)):
        return found
    verified = True
    if buyer_id is not None:
        buyer_row = await Subscriber.get_or_none(id=buyer_id)
        verified = bool(buyer_row and buyer_row.real_name_verified)
    check_real_name(OrderKind.NUMBER_PURCHASE, verified)  # before any row is made
    if reservation.released_at is not None or reservation.expires_at <= now:
        raise fail("RESERVATION_NOT_FOUND", "预占已失效，请重新选号", "reservationId")
    # everything the order needs is checked before the line's row is made
    number = await PhoneNumber.get_or_none(msisdn=reservation.msisdn)
    if number is None:
        raise fail("NUMBER_NOT_FOUND", "号码不存在", "reservationId")
    plan = await plan_for_change(request.plan_id, None)  # a new line: no device on record yet
    first_payment(number.prestore_fen, number.min_monthly_fen, plan.monthly_fee_fen)
    region = _region(number)
    line, made = await _new_line(ctx, reservation.msisdn, plan.id, region)
    buyer = Buyer(
        holder=holder,
        verified=verified,
        name=name,
        id_masked=mask_id(resident.number),
        id_digest=digest,
        id_last6_digest=last6_digest(resident.number, secret),
    )
    handler = NumberPurchase(
        str(reservation.id),
        number,
        buyer,
        plan,
        method,
        contact,
        address,
        fingerprint,
        ctx.settings.id_numbers_per_person,
        region,
    )
    try:
        return await place_order(ctx, line.id, key, handler, channel)
    except BaseException:
        if made:  # the order failed (ID limit, lapsed hold, caps): the new line goes too
            await new_lines.drop_unused(line.id)
        raise
