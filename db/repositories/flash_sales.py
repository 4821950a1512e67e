"""Flash sales in the database, the source of truth of their stock: a unit row per held or paid
unit, whose keys and bounds (unique unit numbers within 1..units_total, unique slots within
1..limit per subscriber) keep the sale from being oversold and each subscriber within the limit,
whatever Redis answered, with no counter row shared by every buyer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.flash import (
    Device,
    FlashBooking,
    FlashReservation,
    FlashSale,
    FlashSaleStat,
    FlashUnit,
)
from domain.calendar import as_utc
from domain.flash.model import ItemKind, ReservationStatus, SaleTerms

KEPT = (ReservationStatus.HELD, ReservationStatus.PAID)


def terms_of(row: FlashSale) -> SaleTerms:
    return SaleTerms(
        name=row.name,
        item_kind=ItemKind(row.item_kind),
        item_id=row.item_id,
        sale_price_fen=row.sale_price_fen,
        units_total=row.units_total,
        per_subscriber_limit=row.per_subscriber_limit,
        starts_at=as_utc(row.starts_at),
        ends_at=as_utc(row.ends_at),
        pay_within_seconds=row.pay_within_seconds,
        booking_opens_at=as_utc(row.booking_opens_at) if row.booking_opens_at else None,
        priority_minutes=row.priority_minutes,
        campaign_id=row.campaign_id,
    )


def terms_columns(t: SaleTerms) -> dict[str, object]:
    return {
        "name": t.name, "item_kind": t.item_kind, "item_id": t.item_id,
        "sale_price_fen": t.sale_price_fen, "units_total": t.units_total,
        "per_subscriber_limit": t.per_subscriber_limit, "starts_at": t.starts_at,
        "ends_at": t.ends_at, "pay_within_seconds": t.pay_within_seconds,
        "booking_opens_at": t.booking_opens_at, "priority_minutes": t.priority_minutes,
        "campaign_id": t.campaign_id,
    }  # fmt: skip


async def sale_by_id(sale_id: str) -> FlashSale | None:
    return await FlashSale.get_or_none(id=(sale_id or "").strip()[:40])


async def sales_live_at(now: datetime) -> list[FlashSale]:
    """Sales not cancelled whose window has not ended, or that still hold unpaid units."""
    open_ids = (
        await FlashReservation.filter(status=ReservationStatus.HELD)
        .distinct()
        .values_list("sale_id", flat=True)
    )
    return (
        await FlashSale.filter(cancelled=False, ends_at__gt=now).all()
        + await FlashSale.filter(id__in=list(open_ids), ends_at__lte=now).all()
    )


async def booked_ids(sale_id: str) -> list[int]:
    return await FlashBooking.filter(sale_id=sale_id).values_list("subscriber_id", flat=True)


async def _count_by_sale(model, sale_ids: Sequence[str], **where: object) -> dict[str, int]:
    rows = (
        await model.filter(sale_id__in=list(set(sale_ids)), **where)
        .annotate(n=Count("id"))
        .group_by("sale_id")
        .values("sale_id", "n")
    )
    return {row["sale_id"]: row["n"] for row in rows}


async def booking_counts(
    sale_ids: Sequence[str], subscriber_id: int | None = None
) -> dict[str, int]:
    """Bookings per sale (only `subscriber_id`'s when given): one query for a page of sales."""
    where = {} if subscriber_id is None else {"subscriber_id": subscriber_id}
    return await _count_by_sale(FlashBooking, sale_ids, **where)


async def units_taken(sale_id: str) -> int:
    """Held and paid units: the sale's unit rows."""
    return await FlashUnit.filter(sale_id=sale_id).count()


async def units_by_sale(sale_ids: Sequence[str], subscriber_id: int) -> dict[str, int]:
    return await _count_by_sale(FlashUnit, sale_ids, subscriber_id=subscriber_id)


async def book(sale_id: str, subscriber_id: int) -> bool:
    """True when this booking is new."""
    try:
        await FlashBooking.create(sale_id=sale_id, subscriber_id=subscriber_id)
    except IntegrityError:
        return False
    return True


async def kept_reservations(sale_id: str) -> list[FlashReservation]:
    return await FlashReservation.filter(sale_id=sale_id, status__in=KEPT).all()


async def unit_numbers(sale_id: str) -> dict[str, tuple[int, ...]]:
    """The sale's unit numbers of each held or paid reservation, ascending (in the order of its
    slots: a take pairs both ascending)."""
    found: dict[str, list[int]] = {}
    rows = (
        await FlashUnit.filter(sale_id=sale_id)
        .order_by("unit_no")
        .values_list("reservation_id", "unit_no")
    )
    for rid, number in rows:
        found.setdefault(str(rid), []).append(number)
    return {rid: tuple(numbers) for rid, numbers in found.items()}


async def reservation(rid: str | UUID) -> FlashReservation | None:
    try:
        return await FlashReservation.get_or_none(id=UUID(str(rid)))
    except ValueError:
        return None


async def reservation_by_key(sale_id: str, subscriber_id: int, key: str):
    return await FlashReservation.get_or_none(
        sale_id=sale_id, subscriber_id=subscriber_id, idempotency_key=key
    )


class NoRoom(Exception):
    """The database refused a unit Redis granted (its number or the subscriber's slot is held,
    or it is outside the sale): see `refused_as` once the transaction is rolled back."""


async def refused_as(sale: FlashSale, subscriber_id: int, quantity: int) -> str:
    """LIMIT_REACHED when the subscriber's units leave no room for `quantity`, else SOLD_OUT."""
    mine = await FlashUnit.filter(sale_id=sale.id, subscriber_id=subscriber_id).count()
    return "LIMIT_REACHED" if mine + quantity > sale.per_subscriber_limit else "SOLD_OUT"


@dataclass(frozen=True)
class NewReservation:
    rid: str
    sale_id: str
    subscriber_id: int
    key: str
    units: Sequence[int]  # the subscriber's slots
    numbers: Sequence[int]  # the sale's unit numbers
    pay_by: datetime
    shipping_address: dict | None


async def record_reservation(conn: BaseDBAsyncClient, new: NewReservation) -> FlashReservation:
    """Persist a unit Redis took, inside the caller's transaction. Raises NoRoom when the
    database's own keys and bounds refuse its units, IntegrityError when the request key was
    already used (the caller's transaction then rolls back: nothing written). Buyers of the
    same sale write only rows of their own: no row lock is shared between them."""
    row = await FlashReservation.create(
        id=UUID(new.rid), sale_id=new.sale_id, subscriber_id=new.subscriber_id,
        idempotency_key=new.key, quantity=len(new.units), units=list(new.units),
        pay_by=new.pay_by, status=ReservationStatus.HELD,
        shipping_address=new.shipping_address, using_db=conn,
    )  # fmt: skip
    units = [
        FlashUnit(sale_id=new.sale_id, subscriber_id=new.subscriber_id, unit_no=number,
                  slot=slot, reservation_id=row.id)
        for slot, number in zip(new.units, new.numbers, strict=True)
    ]  # fmt: skip
    try:
        await FlashUnit.bulk_create(units, using_db=conn)
    except IntegrityError as exc:
        raise NoRoom() from exc
    return row


async def give_back(rid: str | UUID, status: ReservationStatus) -> FlashReservation | None:
    """HELD -> EXPIRED or RELEASED exactly once: its units return to the sale's stock. None when
    it was not held (paid, or given back already)."""
    async with in_transaction() as conn:
        moved = (
            await FlashReservation.filter(id=UUID(str(rid)), status=ReservationStatus.HELD)
            .using_db(conn)
            .update(status=status)
        )
        if not moved:
            return None
        row = await FlashReservation.get(id=UUID(str(rid))).using_db(conn)
        await FlashUnit.filter(reservation_id=row.id).using_db(conn).delete()
        return row


async def mark_paid(conn: BaseDBAsyncClient, rid: str | UUID, order_id: UUID) -> bool:
    return bool(
        await FlashReservation.filter(id=UUID(str(rid)), status=ReservationStatus.HELD)
        .using_db(conn)
        .update(status=ReservationStatus.PAID, order_id=order_id)
    )


async def overdue(now: datetime, limit: int = 500) -> list[FlashReservation]:
    return await FlashReservation.filter(status=ReservationStatus.HELD, pay_by__lte=now).limit(
        limit
    )


async def add_stats(sale_id: str, counts: dict[str, int]) -> None:
    async with in_transaction() as conn:
        for code, n in counts.items():
            grew = (
                await FlashSaleStat.filter(sale_id=sale_id, code=code)
                .using_db(conn)
                .update(count=F("count") + n)
            )
            if not grew:
                await FlashSaleStat.create(sale_id=sale_id, code=code, count=n, using_db=conn)


async def stats_of(sale_id: str) -> dict[str, int]:
    rows = await FlashSaleStat.filter(sale_id=sale_id).all()
    return {r.code: r.count for r in rows}


async def devices(include_inactive: bool = False) -> list[Device]:
    query = Device.all() if include_inactive else Device.filter(active=True)
    return await query


async def device_by_id(device_id: str) -> Device | None:
    return await Device.get_or_none(id=(device_id or "").strip()[:32])


async def take_device_stock(conn: BaseDBAsyncClient, device_id: str, quantity: int) -> bool:
    """A guarded UPDATE: False (nothing changed) when fewer than `quantity` are in stock."""
    return bool(
        await Device.filter(id=device_id, stock__gte=quantity)
        .using_db(conn)
        .update(stock=F("stock") - quantity)
    )


async def record_device(conn: BaseDBAsyncClient, subscriber_id: int, device: Device) -> None:
    """The subscriber's phone from now on: the 5G check of plan changes reads it."""
    await (
        Subscriber.filter(id=subscriber_id)
        .using_db(conn)
        .update(device_id=device.id, device_5g=device.is_5g)
    )
