from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain.flash.model import (
    DEFAULT_PAY_WITHIN_SECONDS,
    PRICED_BY_CAMPAIGN,
    ItemKind,
    SaleTerms,
)
from resolvers.flash.pay import FlashPayMethod
from schema.flash.types import FlashItemKindEnum

FlashPayMethodEnum = strawberry.enum(FlashPayMethod, name="FlashPayMethod")
UNSET: Any = strawberry.UNSET


@strawberry.input(description="A flash sale: what, at what price, how many, when.")
class FlashSaleCreateInput:
    name: str
    item_kind: FlashItemKindEnum
    item_id: strawberry.ID
    sale_price_fen: int | None = strawberry.field(
        default=None, description="A fixed price per unit; or give campaignId."
    )
    campaign_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Priced by this campaign (the promotions engine, on the item's list price).",
    )
    units_total: int
    per_subscriber_limit: int = 1
    starts_at: datetime
    ends_at: datetime
    pay_within_seconds: int = DEFAULT_PAY_WITHIN_SECONDS
    booking_opens_at: datetime | None = None
    priority_minutes: int = strawberry.field(
        default=0, description="Minutes from the start during which only bookers may buy."
    )

    def terms(self) -> SaleTerms:
        return SaleTerms(
            name=self.name, item_kind=ItemKind(self.item_kind), item_id=str(self.item_id),
            sale_price_fen=PRICED_BY_CAMPAIGN if self.sale_price_fen is None
            else self.sale_price_fen,
            units_total=self.units_total,
            per_subscriber_limit=self.per_subscriber_limit, starts_at=self.starts_at,
            ends_at=self.ends_at, pay_within_seconds=self.pay_within_seconds,
            booking_opens_at=self.booking_opens_at, priority_minutes=self.priority_minutes,
            campaign_id=str(self.campaign_id) if self.campaign_id is not None else None,
        )  # fmt: skip


@strawberry.input(description="Change a sale that has not started; omitted fields stay.")
class FlashSaleUpdateInput:
    id: strawberry.ID
    version: int | None = None
    name: str | None = UNSET
    sale_price_fen: int | None = UNSET
    units_total: int | None = UNSET
    per_subscriber_limit: int | None = UNSET
    starts_at: datetime | None = UNSET
    ends_at: datetime | None = UNSET
    pay_within_seconds: int | None = UNSET
    booking_opens_at: datetime | None = UNSET
    priority_minutes: int | None = UNSET

    def changes(self) -> dict[str, object]:
        names = (
            "name", "sale_price_fen", "units_total", "per_subscriber_limit", "starts_at",
            "ends_at", "pay_within_seconds", "booking_opens_at", "priority_minutes",
        )  # fmt: skip
        found = {n: getattr(self, n) for n in names if getattr(self, n) is not UNSET}
        # null clears only the booking window; other fields keep their value
        return {n: v for n, v in found.items() if v is not None or n == "booking_opens_at"}


@strawberry.input
class FlashSaleBuyInput:
    flash_sale_id: strawberry.ID
    quantity: int = 1
    idempotency_key: str
    shipping_address: str | None = strawberry.field(default=None, description="Needed for devices.")
