"""The catalog as the hall shows it: listed plans, combo packs, add-ons, roaming destinations."""

from __future__ import annotations

from dataclasses import dataclass

from db.models.catalog import AddOn, Pack, Plan, RoamingDestination
from domain.catalog import AddOnKind, PackKind
from resolvers.context import RequestContext


@dataclass(frozen=True)
class Catalog:
    """The root of the `catalog` query; its fields load on demand."""


async def plans(ctx: RequestContext) -> list[Plan]:
    return list((await ctx.services.catalog.rows(ctx)).plans)


async def packs(ctx: RequestContext, kind: PackKind | None) -> list[Pack]:
    rows = (await ctx.services.catalog.rows(ctx)).packs.values()
    return [p for p in rows if p.active and (kind is None or p.kind == kind)]


async def add_ons(ctx: RequestContext, kind: AddOnKind | None) -> list[AddOn]:
    rows = (await ctx.services.catalog.rows(ctx)).add_ons.values()
    return [a for a in rows if a.active and (kind is None or a.kind == kind)]


async def roaming_destinations(ctx: RequestContext) -> list[RoamingDestination]:
    return [d for d in (await ctx.services.catalog.rows(ctx)).destinations.values() if d.active]


async def devices() -> list:
    """Phones and accessories on sale (手机, 配件)."""
    from db.repositories.flash_sales import devices as active_devices

    return await active_devices()
