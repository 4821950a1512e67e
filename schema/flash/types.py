"""Flash sales and reservations. A FlashSale is a view over `resolvers.flash_sales.SaleView`
(row, terms, status, remaining from Redis)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.flash.model import ItemKind, ReservationStatus, SaleStatus
from resolvers.flash import sales
from schema.permissions import MARKETING, context

FlashItemKindEnum = strawberry.enum(ItemKind, name="FlashItemKind")
FlashSaleStatusEnum = strawberry.enum(SaleStatus, name="FlashSaleStatus")
ReservationStatusEnum = strawberry.enum(ReservationStatus, name="FlashReservationStatus")


def _subscriber_id(info: Info) -> int | None:
    session = context(info).session
    return session.subject_id if session is not None and session.is_subscriber else None


@strawberry.type(description="Limited units at a festival price (秒杀); `remaining` is live.")
class FlashSale:
    id: strawberry.ID

    @strawberry.field
    def name(self) -> str:
        return self.terms.name  # type: ignore[attr-defined]

    @strawberry.field
    def item_kind(self) -> FlashItemKindEnum:
        return self.terms.item_kind  # type: ignore[attr-defined]

    @strawberry.field(description="The plan, pack, device or mall item id.")
    def item(self) -> strawberry.ID:
        return strawberry.ID(self.terms.item_id)  # type: ignore[attr-defined]

    @strawberry.field(
        description="The price of one unit (a campaign-priced sale: the engine's at the start)."
    )
    def sale_price_fen(self) -> int:
        return self.terms.sale_price_fen  # type: ignore[attr-defined]

    @strawberry.field(description="The campaign that prices this sale, if any.")
    def campaign_id(self) -> strawberry.ID | None:
        found = self.terms.campaign_id  # type: ignore[attr-defined]
        return strawberry.ID(found) if found else None

    @strawberry.field
    def units_total(self) -> int:
        return self.terms.units_total  # type: ignore[attr-defined]

    @strawberry.field(description="Units not held or paid, read from Redis.")
    def remaining(self) -> int:
        return self.remaining  # type: ignore[attr-defined,return-value]

    @strawberry.field
    def per_subscriber_limit(self) -> int:
        return self.terms.per_subscriber_limit  # type: ignore[attr-defined]

    @strawberry.field
    def starts_at(self) -> datetime:
        return self.terms.starts_at  # type: ignore[attr-defined]

    @strawberry.field
    def ends_at(self) -> datetime:
        return self.terms.ends_at  # type: ignore[attr-defined]

    @strawberry.field
    def pay_within_seconds(self) -> int:
        return self.terms.pay_within_seconds  # type: ignore[attr-defined]

    @strawberry.field(description="When booking (预约) opens; null when it takes none.")
    def booking_opens_at(self) -> datetime | None:
        return self.terms.booking_opens_at  # type: ignore[attr-defined]

    @strawberry.field(description="Minutes from the start during which only bookers may buy.")
    def priority_minutes(self) -> int:
        return self.terms.priority_minutes  # type: ignore[attr-defined]

    @strawberry.field
    def status(self) -> FlashSaleStatusEnum:
        return self.status  # type: ignore[attr-defined,return-value]

    @strawberry.field
    async def booked_count(self, info: Info) -> int:
        return await sales.booked_count(context(info), self.id)

    @strawberry.field(description="Whether the caller booked it (false when anonymous).")
    async def my_booking(self, info: Info) -> bool:
        sid = _subscriber_id(info)
        return sid is not None and await sales.has_booked(context(info), self.id, sid)

    @strawberry.field(description="Units the caller holds or has paid for.")
    async def my_units(self, info: Info) -> int:
        sid = _subscriber_id(info)
        return 0 if sid is None else await sales.units_of(context(info), self.id, sid)

    @strawberry.field(
        permission_classes=MARKETING,
        description="MARKETING: answers to buy attempts, flushed from Redis.",
    )
    async def stats(self, info: Info) -> list[FlashSaleStat]:
        found = await sales.stats(self.id)
        return [FlashSaleStat(code=c, count=n) for c, n in sorted(found.items())]


@strawberry.type
class FlashSaleStat:
    code: str
    count: int


@strawberry.type(description="Units taken in a flash sale, to be paid by `payBy`.")
class FlashReservation:
    id: strawberry.ID
    quantity: int
    units: list[int] = strawberry.field(description="The caller's unit numbers in this sale.")
    pay_by: datetime
    status: ReservationStatusEnum

    @strawberry.field
    def flash_sale_id(self) -> strawberry.ID:
        return strawberry.ID(self.sale_id)  # type: ignore[attr-defined]
