"""Catalog types. Each is a view over its database row: plain fields read the row's attribute of
the same name, relations load through the request's DataLoaders."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain import catalog as rules
from domain.allowances import DISPLAY_UNIT
from domain.catalog import PACK_ALLOWANCE, PackKind
from resolvers import catalog
from resolvers.loaders import add_ons_by_destination, destinations, packs
from schema.enums import (
    AddOnKindEnum,
    AllowanceKindEnum,
    PackKindEnum,
    PlanKindEnum,
    ValidityKindEnum,
)
from schema.permissions import context


@strawberry.type(description="What a month of a plan, or one purchase of an add-on, includes.")
class IncludedAllowance:
    kind: AllowanceKindEnum
    amount: int = strawberry.field(description="In `unit`: MB of data, minutes, messages.")
    unit: str = strawberry.field(description="MB, MIN or MSG.")


def allowance_list(data_mb: int, voice_minutes: int, sms_count: int) -> list[IncludedAllowance]:
    return [
        IncludedAllowance(kind=a.kind, amount=a.amount, unit=a.unit)
        for a in rules.allowances(data_mb, voice_minutes, sms_count)
    ]


@strawberry.type(description="A phone or accessory the hall sells (手机, 配件).")
class Device:
    id: strawberry.ID
    brand: str
    model: str
    is_5g: bool = strawberry.field(name="is5g")
    list_price_fen: int
    stock: int
    images: list[str]
    accessory: bool


@strawberry.type(description="A pack of the 4G national combo (4G全国组合), billed monthly.")
class Pack:
    id: strawberry.ID
    kind: PackKindEnum
    name: str
    description: str
    price_fen: int = strawberry.field(description="Monthly price in fen.")

    @strawberry.field(description="MB, minutes or messages; null for a value-added pack.")
    def amount(self) -> int | None:
        return None if self.kind is PackKind.VAS else self.amount  # type: ignore[attr-defined]

    @strawberry.field(description="MB, MIN or MSG; null for a value-added pack.")
    def unit(self) -> str | None:
        kind = PACK_ALLOWANCE.get(self.kind)  # type: ignore[arg-type]
        return DISPLAY_UNIT[kind] if kind is not None else None


@strawberry.type(description="A tariff plan, or a combo composed from packs (kind COMBO).")
class Plan:
    id: strawberry.ID
    kind: PlanKindEnum
    name: str
    description: str
    monthly_fee_fen: int = strawberry.field(description="Monthly fee in fen (1 yuan = 100 fen).")
    requires_5g: bool = strawberry.field(description="Needs a 5G device on record.")
    speed_cap_after_mb: int | None = strawberry.field(
        description="Unlimited plans: data past this many MB a month is slowed, not charged."
    )
    capped_speed_kbps: int | None

    @strawberry.field
    def allowances(self) -> list[IncludedAllowance]:
        return allowance_list(self.data_mb, self.voice_minutes, self.sms_count)  # type: ignore[attr-defined]

    @strawberry.field(description="The packs of a combo; empty for a plan.")
    async def components(self, info: Info) -> list[Pack]:
        ids = list(self.components or [])  # type: ignore[attr-defined]
        found = await packs(context(info)).load_many(ids)
        return [p for p in found if p is not None]


@strawberry.type
class Country:
    code: str = strawberry.field(description="ISO 3166-1 alpha-2.")
    name: str


@strawberry.type(description="A roaming zone and the countries or regions it covers.")
class RoamingDestination:
    code: strawberry.ID
    name: str

    @strawberry.field
    def countries(self) -> list[Country]:
        return [Country(code=c["code"], name=c["name"]) for c in self.countries]  # type: ignore[attr-defined]

    @strawberry.field(description="Roaming packs on sale for this destination.")
    async def packs(self, info: Info) -> list[AddOn]:
        return await add_ons_by_destination(context(info)).load(self.code)


@strawberry.type(description="A pack bought once that takes effect at once.")
class AddOn:
    id: strawberry.ID
    kind: AddOnKindEnum
    name: str
    description: str
    price_fen: int = strawberry.field(description="One-off price in fen.")
    validity_kind: ValidityKindEnum
    validity_length: int = strawberry.field(description="Days or months, per `validityKind`.")
    app: str | None = strawberry.field(description="Directional packs: the app whose traffic.")

    @strawberry.field(description="How long it lasts, as the hall shows it: 7天, 当月有效, 6个月.")
    def validity(self) -> str:
        return rules.validity_label(self.validity_kind, self.validity_length)

    @strawberry.field
    def allowances(self) -> list[IncludedAllowance]:
        return allowance_list(self.data_mb, self.voice_minutes, self.sms_count)  # type: ignore[attr-defined]

    @strawberry.field(description="Roaming packs: where they work.")
    async def destination(self, info: Info) -> RoamingDestination | None:
        code = self.destination_id  # type: ignore[attr-defined]
        return await destinations(context(info)).load(code) if code else None


@strawberry.type(description="What is on sale.")
class Catalog:
    @strawberry.field(description="Listed plans, 4G and 5G.")
    async def plans(self, info: Info) -> list[Plan]:
        return await catalog.plans(context(info))  # type: ignore[return-value]

    @strawberry.field(description="Packs of the 4G national combo, optionally of one kind.")
    async def packs(self, info: Info, kind: PackKindEnum | None = None) -> list[Pack]:
        return await catalog.packs(context(info), kind)  # type: ignore[return-value]

    @strawberry.field(name="addOns", description="Add-on packs, optionally of one kind.")
    async def add_ons(self, info: Info, kind: AddOnKindEnum | None = None) -> list[AddOn]:
        return await catalog.add_ons(context(info), kind)  # type: ignore[return-value]

    @strawberry.field(description="Phones and accessories on sale.")
    async def devices(self) -> list[Device]:
        return await catalog.devices()  # type: ignore[return-value]

    @strawberry.field
    async def roaming_destinations(self, info: Info) -> list[RoamingDestination]:
        return await catalog.roaming_destinations(context(info))  # type: ignore[return-value]
