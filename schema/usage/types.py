from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.allowances import KB_PER_MB
from domain.rating import DataCategory, Direction, UsageKind
from domain.sessions import Capability
from resolvers import usage_views as usage
from resolvers.usage_views import Granularity
from schema.enums import AllowanceKindEnum
from schema.pagination import Connection, connection_of, query
from schema.permissions import context, subscriber_session

UsageKindEnum = strawberry.enum(UsageKind, name="UsageKind")
DirectionEnum = strawberry.enum(Direction, name="UsageDirection")
DataCategoryEnum = strawberry.enum(DataCategory, name="DataCategory")
GranularityEnum = strawberry.enum(Granularity, name="Granularity")


@strawberry.type(description="One allowance bucket as a progress bar: plan month, pack or gift.")
class Allowance:
    kind: AllowanceKindEnum
    unit: str = strawberry.field(description="MB, MIN or MSG.")
    total: int
    used: int
    remaining: int = strawberry.field(description="Data rounds down: never overstates.")
    source: str = strawberry.field(description="PLAN, PACK, ADDON or GIFT.")
    source_name: str
    valid_from: datetime
    valid_until: datetime
    scope: str | None = strawberry.field(
        description="Null: any use at home. APP:<app> pays only that app's data (定向流量), "
        "ROAM:<zone> only roaming use in that zone."
    )


@strawberry.type(description="An allowance bucket that paid (part of) a record.")
class UsageDraw:
    source: str
    source_name: str
    amount: int = strawberry.field(description="In the bucket's base unit: KB, minutes, messages.")


@strawberry.type(description="A rated detail record (详单).")
class UsageRecord:
    kind: UsageKindEnum
    occurred_at: datetime
    direction: DirectionEnum
    location: str | None
    service_name: str | None = strawberry.field(description="Value-added service name.")
    category: DataCategoryEnum | None = strawberry.field(description="Data: the app category.")
    charge_fen: int = strawberry.field(description="Charged to the balance, in fen.")

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.event_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The other party, masked like 186****0001.")
    def counterparty(self) -> str | None:
        return usage.masked_counterparty(self)  # type: ignore[arg-type]

    @strawberry.field(description="Call or WLAN session length.")
    def duration_seconds(self) -> int | None:
        kind = self.kind  # type: ignore[attr-defined]
        return self.seconds if kind in (UsageKind.VOICE, UsageKind.WLAN) else None  # type: ignore[attr-defined]

    @strawberry.field(description="SMS/MMS messages.")
    def messages(self) -> int | None:
        kind = self.kind  # type: ignore[attr-defined]
        return self.count if kind in (UsageKind.SMS, UsageKind.MMS) else None  # type: ignore[attr-defined]

    @strawberry.field(description="Data volume (data and WLAN), in MB.")
    def megabytes(self) -> float | None:
        kind = self.kind  # type: ignore[attr-defined]
        if kind not in (UsageKind.DATA, UsageKind.WLAN):
            return None
        return round(self.bytes / 1024 / KB_PER_MB, 3)  # type: ignore[attr-defined]

    @strawberry.field(description="Billable units: minutes (rounded up per call), messages or KB.")
    def billed_units(self) -> int:
        return self.quantity  # type: ignore[attr-defined]

    @strawberry.field(description="Of the billable units, how many no allowance covered.")
    def overflow_units(self) -> int:
        return self.overflow  # type: ignore[attr-defined]

    @strawberry.field(description="Which allowance buckets paid, in draw order.")
    def paid_by(self) -> list[UsageDraw]:
        return [
            UsageDraw(source=d["source"], source_name=d["sourceName"], amount=d["amount"])
            for d in self.draws  # type: ignore[attr-defined]
        ]


@strawberry.type
class CategoryUsage:
    category: DataCategoryEnum
    kilobytes: int
    megabytes: float


@strawberry.type(description="Mobile data in one hour or day (Asia/Shanghai).")
class DataPoint:
    at: datetime
    kilobytes: int
    megabytes: float
    by_category: list[CategoryUsage]


@strawberry.type
class SubscriberUsageFields:
    """`me` fields for usage; the Subscriber type inherits them."""

    @strawberry.field(description="Allowances valid now (plan and packs), for progress bars.")
    async def allowances(self, info: Info) -> list[Allowance]:
        subscriber_session(info, Capability.READ_BASIC)
        return await usage.allowances(self, context(info).now())  # type: ignore[arg-type,return-value]

    @strawberry.field(
        description="Detail records of the current and previous 5 months, newest first "
        "(FULL sessions only). kind SMS also lists MMS. Ranges are clamped to what is kept."
    )
    async def usage_records(
        self,
        info: Info,
        kind: UsageKindEnum | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[UsageRecord]:
        subscriber_session(info, Capability.READ_DETAIL)
        return await connection_of(
            lambda: usage.usage_records(self, kind, from_, to, first, after, context(info).now())
        )  # type: ignore[arg-type]

    @strawberry.field(
        description="Mobile data per HOUR (default: today) or DAY (default: this cycle), "
        "with a per-category split (FULL sessions only)."
    )
    async def data_usage(
        self,
        info: Info,
        granularity: GranularityEnum = Granularity.HOUR,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
    ) -> list[DataPoint]:
        subscriber_session(info, Capability.READ_DETAIL)
        return await query(
            lambda: usage.data_usage(self, from_, to, granularity, context(info).now())
        )  # type: ignore[arg-type,return-value]
