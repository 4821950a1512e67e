"""The catalog as the hall shows it: listed plans, combo packs, add-ons, roaming destinations."""

from __future__ import annotations

from dataclasses import dataclass

from db.models.catalog import AddOn, Pack, Plan, RoamingDestination
from db.repositories import catalog as repo
from domain.catalog import AddOnKind, PackKind


@dataclass(frozen=True)
class Catalog:
    """The root of the `catalog` query; its fields load on demand."""


async def plans() -> list[Plan]:
    return await repo.listed_plans()


async def packs(kind: PackKind | None) -> list[Pack]:
    return await repo.packs_on_sale(kind)


async def add_ons(kind: AddOnKind | None) -> list[AddOn]:
    return await repo.add_ons_on_sale(kind)


async def roaming_destinations() -> list[RoamingDestination]:
    return await repo.destinations()


async def devices() -> list:
    """Phones and accessories on sale (手机, 配件)."""
    from db.repositories.flash_sales import devices as active_devices

    return await active_devices()
